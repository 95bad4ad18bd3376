"""The per-cell output frame: HTML/JS/SVG/LaTeX in order, sized to content, incremental."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-output-frame.png"

MIXED = r"""
from IPython.display import HTML, SVG, Javascript, Latex, display
print('first')
display(HTML('<b id="h">html</b><script>document.getElementById("h").dataset.ran = "yes";'
             ' window.shared = 41;</script>'))
print('second')
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30">'
            '<circle id="dot" cx="15" cy="15" r="12" fill="teal"/></svg>'))
display(Javascript('element.textContent = "js saw " + (window.shared + 1);'))
display(Latex(r'$$\frac{a}{b} + \sqrt{x}$$'))
print('third')
"""

UPDATES = r"""
import time
from IPython.display import HTML, display, clear_output
display(HTML('<p id="gone">old</p>'))
clear_output()
handle = display(HTML('<p id="u">one</p><script>window.marker = "kept"</script>'), display_id=True)
print('between')
handle.update(HTML('<p id="u">two</p>'))
display(HTML('<div id="tall" style="height: 300px; background: #eef">tall</div>'))
display(Javascript('throw new Error("bad js")'))
for i in range(40):
    print('line', i, flush=True)
    time.sleep(0.01)
"""


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def frame_of(page: Page, index: int) -> Frame:
    handle = cell(page, index).locator("iframe.output-frame").element_handle(timeout=60_000)
    frame = handle.content_frame()
    assert frame is not None
    return frame


def test_active_outputs_render_in_one_frame_in_order(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "frame.ipynb", [code_cell(MIXED), code_cell(UPDATES)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    page.get_by_test_id("run-all").click()

    outputs = cell(page, 0).get_by_test_id("outputs")
    expect(outputs.locator("iframe.output-frame")).to_have_count(1, timeout=60_000)
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    expect(inner.get_by_text("third")).to_be_visible(timeout=60_000)
    # "first" came before any active output: it stays in the page, above the frame.
    expect(outputs.locator(".stream-stdout")).to_have_text(["first\n"])
    expect(inner.locator("#h")).to_have_attribute("data-ran", "yes")
    expect(inner.locator("circle#dot")).to_have_count(1)
    expect(inner.get_by_text("js saw 42")).to_be_visible()
    expect(inner.locator(".katex .mfrac")).to_have_count(1)
    frame = frame_of(page, 0)
    order = frame.evaluate(
        """() => [...document.querySelectorAll('#output-area > .output')].map(o =>
            o.querySelector('#h') ? 'html' : o.querySelector('svg') && !o.querySelector('.katex')
            ? 'svg' : o.querySelector('.katex') ? 'latex' : o.textContent.trim())"""
    )
    assert order == ["html", "second", "svg", "js saw 42", "latex", "third"]
    # Sized to its content: no inner scrolling, no large empty band.
    iframe = cell(page, 0).locator("iframe.output-frame")
    height = iframe.evaluate("f => f.getBoundingClientRect().height")
    content = frame.evaluate("() => document.documentElement.getBoundingClientRect().height")
    assert abs(height - content) <= 2 and content > 60

    # Second cell: clear_output, update_display_data, more outputs, no reload.
    inner2 = cell(page, 1).frame_locator("iframe.output-frame")
    expect(inner2.locator("#tall")).to_be_visible(timeout=60_000)
    expect(inner2.locator("#u")).to_have_text("two")
    expect(inner2.locator("#gone")).to_have_count(0)
    expect(inner2.get_by_text("between")).to_be_visible()
    frame2 = frame_of(page, 1)
    assert frame2.evaluate("() => window.marker") == "kept"
    tall = cell(page, 1).locator("iframe.output-frame")
    assert tall.evaluate("f => f.getBoundingClientRect().height") >= 300
    assert frame2.evaluate("() => google.colab.kernel.accessAllowed") is True
    expect(inner2.locator(".output-error-text")).to_have_text("Javascript Error: Error: bad js")
    # The stream after them grew chunk by chunk into one output.
    lines = "".join(f"line {i}\n" for i in range(40))
    expect(inner2.locator("pre.stream-stdout").last).to_have_text(lines, timeout=30_000)
    tall.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT)

    # Saved outputs replay after a reload, without kernel access.
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    page.reload()
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    expect(inner.get_by_text("js saw 42")).to_be_visible(timeout=30_000)
    expect(inner.locator("#h")).to_have_attribute("data-ran", "yes")
    assert frame_of(page, 0).evaluate("() => google.colab.kernel.accessAllowed") is False

    # Moving a cell reloads its iframe (browsers do that): the outputs come back.
    cell(page, 0).get_by_role("button", name="Move cell down").click()
    expect(
        cell(page, 1).frame_locator("iframe.output-frame").get_by_text("js saw 42")
    ).to_be_visible()
    expect(cell(page, 0).frame_locator("iframe.output-frame").locator("#u")).to_have_text("two")


def test_saved_frames_load_as_they_come_near(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = []
    for i in range(80):
        saved = code_cell(f"# cell {i}")
        html = f'<div id="c{i}" style="height: 120px">saved output {i}</div>'
        saved["outputs"] = [
            {"output_type": "display_data", "data": {"text/html": html}, "metadata": {}}
        ]
        cells.append(saved)
    nb_id = create_notebook(page, "long.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(cell(page, 0).frame_locator("iframe.output-frame").locator("#c0")).to_be_visible()
    # Far-away cells have no iframe yet: a long notebook does not load them all at once.
    assert page.locator("iframe.output-frame").count() < 80
    last = cell(page, 79)
    last.scroll_into_view_if_needed()
    expect(last.frame_locator("iframe.output-frame").locator("#c79")).to_be_visible()
