"""Markdown cells and ``text/markdown`` outputs rendered on the server and sanitised.

mistune renders (raw HTML in the source is kept, as Jupyter and Colab show it); nh3
(ammonia) then keeps only an allow-list of tags and attributes: no script, style, iframe,
form, event handler or ``javascript:`` URL survives. Images may be ``data:``/``https:``;
a ``data:`` URL anywhere but an image's ``src`` is dropped. Math (``$…$``, ``$$…$$``,
``\\(…\\)``, ``\\[…\\]``) is kept out of the markdown pass, as Jupyter does, then drawn as
MathML (latex2mathml, sanitised; no script), or shown as its TeX source when it cannot be.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from html import escape

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


MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mrow", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mtext", "mspace", "mtable", "mtr", "mtd", "munder", "mover", "munderover",
    "mstyle", "menclose", "mpadded", "mphantom", "merror",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "accent", "accentunder", "movablelimits", "columnalign", "rowspacing",
    "columnspacing", "linethickness", "width", "displaystyle", "scriptlevel", "notation",
    "largeop", "symmetric", "minsize", "maxsize", "xmlns",
}  # fmt: skip


def to_mathml(tex: str, block: bool) -> str | None:
    """TeX → MathML (latex2mathml; Chromium draws MathML Core), sanitised: its ``mtext``
    passes markup through. None when it cannot convert (the TeX is shown instead)."""
    import nh3
    from latex2mathml.converter import convert

    try:
        mathml = convert(tex.strip(), display="block" if block else "inline")
    except Exception:  # any TeX it does not know: fall back to the source
        return None
    return nh3.clean(
        mathml,
        tags=MATHML_TAGS,
        attributes={tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
        url_schemes=set(),
        strip_comments=True,
    )


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


# Code first (left alone), then math: display, then inline ($ not followed by a digit
# when closing, so "$5 and $10" stays text).
_CODE_OR_MATH = re.compile(
    r"(```[\s\S]*?```|~~~[\s\S]*?~~~|`[^`\n]*`)"
    r"|(\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)"
    r"|(?<![\\$])\$(?![\s$])[^$\n`]+?(?<![\s\\])\$(?!\d))"
)


def render_markdown(text: str) -> str:
    """Safe HTML for a markdown cell's source."""
    nonce = secrets.token_hex(4)
    maths: list[str] = []

    def hold(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(0)
        maths.append(m.group(2))
        return f"cbmath{nonce}n{len(maths) - 1}x"

    html = sanitize(_renderer()(_CODE_OR_MATH.sub(hold, text)))
    if not maths:
        return html

    def put_back(m: re.Match[str]) -> str:
        tex = maths[int(m.group(1))]
        block = tex.startswith(("$$", "\\["))
        inner = tex[2:-2] if tex.startswith(("$$", "\\[", "\\(")) else tex[1:-1]
        mathml = to_mathml(inner, block)
        body = mathml if mathml is not None else escape(tex)
        return f'<span class="math{" display" if block else ""}">{body}</span>'

    return re.sub(rf"cbmath{nonce}n(\d+)x", put_back, html)
