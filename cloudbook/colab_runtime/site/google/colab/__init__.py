"""cloudbook's implementation of the ``google.colab`` API.

Same public names, signatures and behaviour as Colab's, talking to cloudbook's
browser side (docs/colab-protocol.md). Submodules load on first use, so
``import google.colab`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.0.1a2"

_SUBMODULES = (
    "auth",
    "data_table",
    "drive",
    "errors",
    "files",
    "output",
    "patches",
    "runtime",
    "syntax",
    "userdata",
    "widgets",
)
__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"google.colab.{name}")
    raise AttributeError(f"module 'google.colab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])


def load_ipython_extension(ipython: Any) -> None:
    """Loaded into every cloudbook kernel: shell commands, pip, package space."""
    from google.colab import _kernel_ext

    _kernel_ext.load(ipython)
