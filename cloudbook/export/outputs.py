"""One cell's outputs as HTML for a published view or an export.

Passive outputs (text, streams, errors, PNG/JPEG/GIF, sanitised markdown, SVG as an
``<img>``, which runs no script and loads nothing) are drawn in the page itself. Active
ones (``text/html``, ``application/javascript``) go into ``<iframe sandbox="allow-scripts"
srcdoc=…>``: never ``allow-same-origin``, so their scripts run in an opaque origin that
holds no cookie, cannot reach the page's DOM and cannot navigate the top window.
``static=True`` (the PDF) runs nothing: an active output shows its image or text
alternative. Widget views need a runtime: their text alternative is shown.
"""

from __future__ import annotations

import base64
import re
from html import escape
from typing import Any

from cloudbook.export.markdown import render_markdown, sanitize

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")
WIDGET = "application/vnd.jupyter.widget-view+json"
ACTIVE = ("application/javascript", "text/html")
RASTER = ("image/png", "image/jpeg", "image/gif")
# What a frame adds to an active output: a base style and a note of its height to the page
# (the page sizes the frame; nothing else crosses).
# Standards mode, so the root's height is the content's (not at least the frame's own).
FRAME_HEAD = (
    "<!doctype html><meta charset='utf-8'><style>"
    "body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#202124}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}</style>"
    "<script>addEventListener('load',function(){function t(){parent.postMessage("
    "{cloudbookHeight:Math.ceil(document.documentElement.getBoundingClientRect().height)},'*')}"
    "t();"
    "new ResizeObserver(t).observe(document.documentElement)})</script>"
)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def joined(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _pre(text: str, cls: str) -> str:
    return f'<pre class="{cls}">{escape(strip_ansi(text))}</pre>'


def _image(mime: str, data: Any, meta: dict[str, Any]) -> str:
    payload = re.sub(r"\s+", "", joined(data))
    if not re.fullmatch(r"[A-Za-z0-9+/=]*", payload):
        return _pre("[an image that is not base64]", "output-text")
    size = ""
    for key in ("width", "height"):
        value = meta.get(key)
        if isinstance(value, int | float) and value > 0:
            size += f' {key}="{int(value)}"'
    return f'<img class="output-image" alt="" src="data:{mime};base64,{payload}"{size}>'


def _svg(data: Any) -> str:
    payload = base64.b64encode(joined(data).encode()).decode()
    return f'<img class="output-image" alt="" src="data:image/svg+xml;base64,{payload}">'


def _frame(mime: str, data: Any) -> str:
    body = joined(data)
    if mime == "application/javascript":
        body = "<script>" + body.replace("</", "<\\/") + "</script>"
    doc = FRAME_HEAD + body
    return (
        '<iframe class="output-frame" sandbox="allow-scripts" '
        f'referrerpolicy="no-referrer" loading="lazy" srcdoc="{escape(doc, quote=True)}">'
        "</iframe>"
    )


def _bundle(data: dict[str, Any], meta: dict[str, Any], static: bool) -> str:
    def meta_of(mime: str) -> dict[str, Any]:
        m = meta.get(mime)
        return m if isinstance(m, dict) else {}

    if WIDGET in data:
        text = joined(data.get("text/plain")) or "Interactive widget"
        return _pre(f"{text}\n(an interactive widget: it needs a runtime)", "output-text")
    if not static:
        for mime in ACTIVE:
            if mime in data:
                return _frame(mime, data[mime])
    if "text/markdown" in data:
        html = render_markdown(joined(data["text/markdown"]))
        return f'<div class="output-markdown">{html}</div>'
    if "image/svg+xml" in data:
        return _svg(data["image/svg+xml"])
    for mime in RASTER:
        if mime in data:
            return _image(mime, data[mime], meta_of(mime))
    if static and "text/html" in data:
        clean = sanitize(joined(data["text/html"]))
        if re.sub(r"<[^>]*>|\s", "", clean):
            return f'<div class="output-html">{clean}</div>'
    if "text/latex" in data:
        return _pre(joined(data["text/latex"]), "output-text")
    if "text/plain" in data:
        return _pre(joined(data["text/plain"]), "output-text")
    if any(m in data for m in ACTIVE):
        return _pre("[an interactive output: open the notebook to see it]", "output-text")
    return ""


def render_output(output: Any, *, static: bool = False) -> str:
    if not isinstance(output, dict):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        return _pre(joined(output.get("text")), f"output-stream {name}")
    if kind == "error":
        trace = output.get("traceback")
        text = "\n".join(str(t) for t in trace) if isinstance(trace, list) and trace else ""
        text = text or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        return _pre(text, "output-error")
    if kind in ("execute_result", "display_data"):
        data = output.get("data")
        meta = output.get("metadata")
        if not isinstance(data, dict):
            return ""
        return _bundle(data, meta if isinstance(meta, dict) else {}, static)
    return ""
