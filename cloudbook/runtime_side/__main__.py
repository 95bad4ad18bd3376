"""``python -m cloudbook.runtime_side``: the Jupyter server of one runtime.

A stock ``jupyter server`` with three differences:

- only cloudbook's extension is enabled: extensions that other installed packages
  enable through ``jupyter_server_config.d`` are never looked for;
- the token comes from the configuration pipe named by ``--box-fd=N`` (local runtimes:
  it never appears in any process environment, ``/proc/1/environ`` included), or else
  from ``JUPYTER_TOKEN``, removed from the environment before anything starts;
- in a sandbox, that configuration also finishes the box before the server imports
  anything: overlays, routes, capabilities, seccomp (see ``cloudbook.runtime_side.box``);
- jsonschema's optional ``rfc3987_syntax`` is not imported (see ``main``).

Every other ``--ServerApp.*`` option is passed through from the command line.
"""

from __future__ import annotations

import os
import sys

EXTENSION = "cloudbook.runtime_side"


def main(argv: list[str] | None = None) -> None:
    # jupyter_events -> jsonschema imports rfc3987_syntax (a Lark grammar) for its "iri"
    # format check: ~1.7 s of every cold start, and no schema a runtime loads uses it.
    # None in sys.modules makes that optional import fail, which jsonschema tolerates.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    args = sys.argv[1:] if argv is None else list(argv)
    config: dict[str, object] = {}
    for arg in list(args):
        if arg.startswith("--box-fd="):
            from cloudbook.runtime_side import box

            args.remove(arg)
            config = box.read_config(int(arg.split("=", 1)[1]))
            if config.get("sandboxed"):
                box.enter(config)
    token = str(config.get("token") or os.environ.pop("JUPYTER_TOKEN", ""))
    os.environ.pop("JUPYTER_TOKEN", None)
    if not token:
        sys.exit("cloudbook runtime: JUPYTER_TOKEN must be set (the server never runs open)")

    from jupyter_server.serverapp import ServerApp
    from traitlets.config import Config

    config = Config()
    config.IdentityProvider.token = token
    config.ServerApp.jpserver_extensions = {EXTENSION: True}
    # As in Colab, deleting in the files panel frees the disk (no trash), folders included.
    config.FileContentsManager.delete_to_trash = False
    config.FileContentsManager.always_delete_dir = True
    # No keepalive pings on kernel WebSockets. The only client is the service's kernel proxy
    # (or `cloudbook run`) on this host, which watches browsers itself and keeps the kernel
    # connection open for a reconnecting page. jupyter_server's ping check also measured
    # the pong age against the timeout before its first ping: with the timeout equal to
    # the 30 s interval, every kernel WebSocket was closed after ~30 s; and a longer timeout
    # would let a proxy paused by a slow browser lose its kernel connection.
    config.ServerApp.tornado_settings = {"ws_ping_interval": 0}
    app = ServerApp.instance(config=config)
    app.initialize(argv=args, find_extensions=False)
    app.start()


if __name__ == "__main__":
    main()
