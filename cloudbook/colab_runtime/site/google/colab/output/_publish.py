"""Shortcuts for publishing HTML / JavaScript outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def display(*objs: Any, **kwargs: Any) -> None:
    """IPython.display.display (typed here: IPython's own is not annotated)."""
    from IPython import display as ipython_display

    show: Callable[..., Any] = ipython_display.display
    show(*objs, **kwargs)


def _display(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
    display(data, raw=True, metadata=metadata or {})


def html(content: str) -> None:
    _display({"text/html": content})


def css(content: str) -> None:
    _display({"text/html": "<style>" + content + "</style>"})


def javascript(content: str) -> None:
    _display({"application/javascript": content})
