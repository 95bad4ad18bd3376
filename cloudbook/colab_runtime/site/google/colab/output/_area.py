"""Send outputs to another element of the cell's output frame.

Each switch is a small Javascript output run in order in the cell's frame:
``google.colab.output.setActiveOutputArea(element)`` makes the browser append
the following outputs of this cell inside ``element`` (docs/colab-protocol.md).
Being ordinary outputs, the switches replay the same way when a saved notebook
is opened again.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator

from google.colab.output import _publish


def _js_string(value: str) -> str:
    return json.dumps(value).replace("</", "<\\/")


@contextlib.contextmanager
def _redirect(target_js: str) -> Iterator[None]:
    saved = "cbArea_" + uuid.uuid4().hex
    _publish.javascript(
        f'window["{saved}"] = google.colab.output.getActiveOutputArea();\n'
        f"google.colab.output.setActiveOutputArea({target_js});"
    )
    try:
        yield
    finally:
        _publish.javascript(f'google.colab.output.setActiveOutputArea(window["{saved}"]);')


@contextlib.contextmanager
def redirect_to_element(selector: str) -> Iterator[None]:
    """Send outputs inside the context to the element matching the CSS ``selector``."""
    with _redirect(f"document.querySelector({_js_string(selector)})"):
        yield


@contextlib.contextmanager
def to_header_area() -> Iterator[None]:
    """Send outputs to the area above the cell's normal outputs."""
    with redirect_to_element("#output-header"):
        yield


@contextlib.contextmanager
def to_footer_area() -> Iterator[None]:
    """Send outputs to the area below the cell's normal outputs."""
    with redirect_to_element("#output-footer"):
        yield


@contextlib.contextmanager
def to_default_area() -> Iterator[None]:
    """Send outputs back to the cell's normal output area."""
    with _redirect("google.colab.output.getDefaultOutputArea()"):
        yield
