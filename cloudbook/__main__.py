from cloudbook.cli import main

raise SystemExit(main())
