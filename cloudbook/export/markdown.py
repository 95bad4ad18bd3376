"""Markdown cells and ``text/markdown`` outputs rendered on the server and sanitised.

mistune renders (raw HTML in the source is kept, as Jupyter and Colab show it); nh3
(ammonia) then keeps only an allow-list of tags and attributes: no script, style, iframe,
form, event handler or ``javascript:`` URL survives. Images may be ``data:``/``https:``;
a ``data:`` URL anywhere but an image's ``src`` is dropped. Math stays as its TeX source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

ALLOWED_SCHEMES = {"http", "https", "mailto", "data"}
EXTRA_TAGS = {"details", "summary", "input", "del", "s"}


@functools.cache
def _renderer() -> Callable[[str], str]:
    import mistune

    md = mistune.create_markdown(
        escape=False, plugins=["strikethrough", "table", "url", "task_lists"]
    )

    def render(text: str) -> str:
        out = md(text)
        return out if isinstance(out, str) else ""

    return render


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if value.strip().lower().startswith("data:") and not (element == "img" and attribute == "src"):
        return None
    if element == "input" and attribute == "type" and value != "checkbox":
        return None
    return value


def sanitize(html: str) -> str:
    import nh3

    attributes = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["input"] = {"type", "checked", "disabled"}
    attributes["img"] = {"src", "alt", "title", "width", "height"}
    for tag in ("td", "th"):
        attributes.setdefault(tag, set()).add("align")
    return nh3.clean(
        html,
        tags=set(nh3.ALLOWED_TAGS) | EXTRA_TAGS,
        attributes=attributes,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def render_markdown(text: str) -> str:
    """Safe HTML for a markdown cell's source."""
    return sanitize(_renderer()(text))
