"""Outputs and text cells never run in the page's origin, and a frame acts only for its cell."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

HOSTILE = (
    "<script>window.top.pwned = 1;</script>"
    '<img src="x" onerror="top.pwned = 2">'
    '<svg onload="top.pwned = 3" width="10" height="10"></svg>'
    '<a id="jslink" href="javascript:top.pwned = 4">js link</a>'
    '<form action="/api/notebooks" method="post"><input name="name" value="evil.ipynb">'
    '<button id="submit">submit</button></form>'
)

PROBE = """
(async () => {
  const out = {};
  try { out.parent = typeof parent.document.cookie; } catch (e) { out.parent = 'blocked'; }
  try {
    const r = await fetch('/api/notebooks', {credentials: 'include'});
    out.fetch = 'status ' + r.status + ' ' + (await r.text());
  } catch (e) { out.fetch = 'no data'; }
  document.body.dataset.probe = JSON.stringify(out);
})();
"""

# Cell 1's frame tries to make the page act for cell 0: fake messages to the page and a
# port pushed into cell 0's frame, then one legitimate request through its own port.
CROSS_CELL = """
(() => {
  const fake = new MessageChannel();
  for (const kind of ['files-view', 'call', 'disconnect']) {
    parent.postMessage({kind, path: '/stolen', id: 1, method: 'invoke',
                        params: {name: 'cell0_only'}}, '*');
  }
  for (let i = 0; i < parent.frames.length; i++) {
    try { parent.frames[i].postMessage({kind: 'cloudbook:connect'}, '*', [fake.port2]); }
    catch (e) {}
  }
  fake.port1.postMessage({kind: 'eval', id: 1, script: 'top.pwned = 6'});
  google.colab.files.view('/legit');
})();
"""

LIVE_CELL0 = f"""
from IPython.display import HTML, Javascript, display
from google.colab import output
output.register_callback('cell0_only', lambda: print('CELL0 CALLBACK RAN'))
display(HTML({HOSTILE!r}))
display(Javascript({PROBE!r}))
"""

LIVE_CELL1 = f"""
from IPython.display import Javascript, display
display(Javascript({CROSS_CELL!r}))
"""


def saved_cell(html: str) -> dict[str, Any]:
    return {
        **code_cell("# saved outputs"),
        "outputs": [
            {"output_type": "display_data", "data": {"text/html": html}, "metadata": {}},
            {
                "output_type": "display_data",
                "data": {"application/javascript": "try { top.pwned = 5; } catch (e) {}" + PROBE},
                "metadata": {},
            },
        ],
        "execution_count": 1,
    }


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def notebook_count(page: Page) -> int:
    script = "async () => (await (await fetch('/api/notebooks')).json()).notebooks.length"
    return int(page.evaluate(script))


def probe(page: Page, index: int) -> dict[str, str]:
    body = cell(page, index).frame_locator("iframe.output-frame").locator("body[data-probe]")
    expect(body).to_have_count(1, timeout=60_000)
    return dict(json.loads(body.get_attribute("data-probe") or "{}"))


def test_outputs_cannot_reach_the_page(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [
        saved_cell(HOSTILE),
        {"cell_type": "markdown", "source": HOSTILE, "metadata": {}},
        code_cell(LIVE_CELL0),
        code_cell(LIVE_CELL1),
    ]
    nb_id = create_notebook(page, "hostile.ipynb", cells)
    before = notebook_count(page)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    page.evaluate(
        "window.viewed = []; window.addEventListener('cloudbook:files-view',"
        " (e) => window.viewed.push(e.detail.path))"
    )

    # Saved outputs render (and their scripts run) inside the frame, not in the page.
    saved = probe(page, 0)
    assert saved == {"parent": "blocked", "fetch": "no data"}
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    inner.locator("#jslink").click()
    inner.locator("#submit").click()  # the sandbox has no allow-forms: nothing is sent
    assert page.evaluate("window.pwned") is None
    assert page.get_by_test_id("markdown").locator("script, img[onerror], svg[onload]").count() == 0

    # The same, live: and a frame cannot act for another cell.
    cell(page, 2).locator("button.run").click()
    assert probe(page, 2) == {"parent": "blocked", "fetch": "no data"}
    cell(page, 3).locator("button.run").click()
    page.wait_for_function("window.viewed.includes('/legit')", timeout=60_000)
    assert page.evaluate("window.viewed") == ["/legit"]
    assert page.evaluate("window.pwned") is None
    expect(page.get_by_test_id("kernel-state")).to_have_attribute("data-state", "idle")
    for index in (2, 3):
        outputs = cell(page, index).get_by_test_id("outputs")
        expect(outputs).not_to_contain_text("CELL0 CALLBACK RAN")
        frame_body = cell(page, index).frame_locator("iframe.output-frame").locator("body")
        expect(frame_body).not_to_contain_text("CELL0 CALLBACK RAN")
    assert notebook_count(page) == before
