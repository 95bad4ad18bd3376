"""Access to the running IPython shell and kernel, tolerant of plain Python."""

from __future__ import annotations

from typing import Any


def get_ipython() -> Any:
    """The running InteractiveShell, or None outside IPython."""
    try:
        from IPython import get_ipython as _get
    except ImportError:  # pragma: no cover - IPython is always present in runtimes
        return None
    return _get()


def in_ipython() -> bool:
    return get_ipython() is not None


def get_kernel() -> Any:
    """The ipykernel Kernel object, or None when not running in a kernel."""
    return getattr(get_ipython(), "kernel", None)
