"""What every cloudbook kernel loads at start (``IPKernelApp.extensions = ['google.colab']``).

- ``!cmd`` streams through bash on a pseudo-terminal with stdin from the browser;
  ``%shell`` / ``%%shell`` as in Colab;
- ``%pip`` / ``!pip`` install into the runtime's own package space;
- ``%%bigquery`` ready without ``%load_ext`` (loaded on first use);
- ``%tensorflow_version`` is accepted with Colab's notice (a no-op);
- matplotlib figures inline (ipykernel's default backend, kept unless the user set one).
"""

from __future__ import annotations

import os
from typing import Any

_loaded: list[Any] = []


def load(shell: Any) -> None:
    if shell is None or any(s is shell for s in _loaded):
        return
    _loaded.append(shell)

    from google.colab import _limits, _packages, _shell, _tensorflow_magics

    _limits.rank_first_for_oom()
    _limits.cap_stream_buffers()

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        _packages.activate()
    except OSError as exc:  # no writable place for packages: pip will say so when used
        print(f"cloudbook: no package space for pip installs ({exc})")

    shell.system = lambda cmd: _shell.system(shell, cmd)
    shell.system_piped = shell.system
    shell.getoutput = lambda cmd, split=True, depth=0: _shell.getoutput(shell, cmd, split, depth)
    shell.register_magic_function(_shell.shell_line_magic, magic_kind="line", magic_name="shell")
    shell.register_magic_function(_shell.shell_cell_magic, magic_kind="cell", magic_name="shell")
    shell.register_magic_function(_packages.pip_magic, magic_kind="line", magic_name="pip")
    from google.colab import _bigquery

    _bigquery.register(shell)
    shell.register_magic_function(
        _tensorflow_magics.tensorflow_version, magic_kind="line", magic_name="tensorflow_version"
    )
