"""The whole notebook as one self-contained HTML document (no app JS, nothing fetched).

``static=False`` (published view, Download .html): active outputs in sandboxed frames and
one small inline script that sizes those frames from their height messages. ``static=True``
(what Chromium prints to PDF): no script at all. Either way the document carries its
Content-Security-Policy in a ``<meta>`` (a downloaded file keeps it); the published view
also sends it, with ``sandbox``, as a header (``csp_header``).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from html import escape
from typing import Any

from cloudbook.export.markdown import render_markdown
from cloudbook.export.outputs import joined, render_output

# Frames inherit this policy (srcdoc): inline scripts may run, but nothing is fetched
# or sent anywhere (no connect, no form, no base), images only inline or https.
CSP_ACTIVE = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: https:; font-src data:; media-src data:; frame-src 'self'; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)
CSP_STATIC = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; base-uri 'none'"
)


def csp_header() -> str:
    """The published page's own header: its policy, in an opaque origin of its own
    (``sandbox`` without allow-same-origin: even a script that slipped through the
    sanitiser would hold no cookie of the service), and framed by nobody."""
    return (
        f"{CSP_ACTIVE}; frame-ancestors 'none'; "
        "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox"
    )


STYLE = """
body{margin:0;background:#f8f9fa;color:#202124;font:14px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:16px 24px 48px;background:#fff;min-height:100vh}
header.nb-head{border-bottom:1px solid #e0e0e0;margin-bottom:16px;padding-bottom:8px}
header.nb-head h1{font-size:22px;font-weight:500;margin:8px 0 4px}
header.nb-head p{margin:0;color:#5f6368;font-size:12px}
.cell{margin:12px 0}
.cell-code .source{display:flex;gap:8px}
.prompt{color:#9aa0a6;font:12px/1.6 monospace;min-width:44px;text-align:right;padding-top:8px}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:13px/1.45 "Roboto Mono",
Menlo,Consolas,monospace}
.source pre{flex:1;background:#f5f5f5;border-radius:4px;padding:8px 10px;overflow:auto}
.outputs{margin-left:52px}
.outputs>*{margin:4px 0}
.output-stream.stderr{background:#fdecea}
.output-error{color:#a50e0e;background:#fdecea;padding:4px}
.output-image{max-width:100%;height:auto}
.output-frame{width:100%;height:150px;border:0;display:block}
.output-html table,.markdown table{border-collapse:collapse}
.output-html td,.output-html th,.markdown td,.markdown th{border:1px solid #ddd;padding:2px 6px}
.markdown img{max-width:100%}
.math math{font-size:1.1em}
.math.display{display:block;text-align:center;margin:8px 0;white-space:pre-wrap}
.markdown code{background:#f1f3f4;padding:0 3px;border-radius:3px;font-family:monospace}
@media print{body{background:#fff}main{padding:0;max-width:none}.cell{break-inside:avoid}}
"""

# Sizes each output frame from the height its own script posts (capped); reads nothing else.
RESIZE = """
addEventListener('message', function (e) {
  var h = e.data && e.data.cloudbookHeight;
  if (typeof h !== 'number') return;
  var frames = document.getElementsByTagName('iframe');
  for (var i = 0; i < frames.length; i++) {
    if (frames[i].contentWindow === e.source) {
      frames[i].style.height = Math.min(Math.max(h, 20), 4000) + 'px';
    }
  }
});
"""


@functools.cache
def _highlight_css() -> str:
    from pygments.formatters import HtmlFormatter

    css: str = HtmlFormatter(style="default").get_style_defs(".hl")
    return css


def _code(source: str, language: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "python")
    except ClassNotFound:
        return f"<pre>{escape(source)}</pre>"
    body = highlight(source, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="hl">{body}</pre>'


def _language(content: dict[str, Any]) -> str:
    meta = content.get("metadata")
    info = meta.get("language_info") if isinstance(meta, dict) else None
    name = info.get("name") if isinstance(info, dict) else None
    return name if isinstance(name, str) else "python"


def _inline_attachments(source: str, attachments: Any) -> str:
    """``![x](attachment:name.png)`` (an image pasted into a markdown cell) → a data URL."""
    if not isinstance(attachments, dict) or not attachments:
        return source

    def data_url(m: re.Match[str]) -> str:
        bundle = attachments.get(m.group(1))
        if isinstance(bundle, dict):
            for mime in ("image/png", "image/jpeg", "image/gif"):
                payload = re.sub(r"\s+", "", joined(bundle.get(mime)))
                if payload and re.fullmatch(r"[A-Za-z0-9+/=]+", payload):
                    return f"data:{mime};base64,{payload}"
        return m.group(0)

    return re.sub(r"attachment:([^\s)\"'<>]+)", data_url, source)


def _cell(cell: Any, language: str, static: bool) -> str:
    if not isinstance(cell, dict):
        return ""
    source = joined(cell.get("source"))
    kind = cell.get("cell_type")
    if kind == "markdown":
        source = _inline_attachments(source, cell.get("attachments"))
        return f'<section class="cell cell-markdown markdown">{render_markdown(source)}</section>'
    if kind != "code":
        return f'<section class="cell cell-raw"><pre>{escape(source)}</pre></section>'
    count = cell.get("execution_count")
    prompt = f"[{count}]" if isinstance(count, int) else "[ ]"
    outputs = cell.get("outputs")
    rendered = "".join(
        render_output(o, static=static) for o in (outputs if isinstance(outputs, list) else [])
    )
    return (
        '<section class="cell cell-code">'
        f'<div class="source"><span class="prompt">{prompt}</span>{_code(source, language)}</div>'
        f'<div class="outputs">{rendered}</div></section>'
    )


def render_page(
    name: str,
    content: dict[str, Any],
    *,
    static: bool = False,
    note: str | None = None,
    when: datetime | None = None,
) -> str:
    """The document; ``note`` (e.g. "Published by alice") and ``when`` head the page."""
    language = _language(content)
    cells = content.get("cells")
    body = "".join(_cell(c, language, static) for c in (cells if isinstance(cells, list) else []))
    title = name.rsplit("/", 1)[-1].removesuffix(".ipynb") or "notebook"
    line = " · ".join(x for x in (note, when.strftime("%Y-%m-%d %H:%M UTC") if when else None) if x)
    csp = CSP_STATIC if static else CSP_ACTIVE
    script = "" if static else f"<script>{RESIZE}</script>"
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}{_highlight_css()}</style>{script}"
        "</head><body><main>"
        f'<header class="nb-head"><h1>{escape(title)}</h1>'
        f"{f'<p>{escape(line)}</p>' if line else ''}</header>"
        f"{body}</main></body></html>\n"
    )
