"""ipywidgets in cells the service runs (live documents, the default): a slider moved in
the page changes the kernel's value, a GridspecLayout renders its children, and what an
Output widget captures during the run shows in the widget only, not in the cell too (the
service's executor leaves captured outputs out of the shared document)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_widgets import SLIDER, Runner, frame

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


GRID = """grid = widgets.GridspecLayout(2, 2)
for row in range(2):
    for col in range(2):
        grid[row, col] = widgets.Button(description=f"cell {row}{col}")
grid"""
CAPTURE = """out = widgets.Output()
display(out)
with out:
    print("captured line")
print("cell line")"""


def test_widgets_in_cells_the_service_runs(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [SLIDER, 'print("level is", level.value)', GRID, CAPTURE]
    nb_id = create_notebook(page, "live-widgets.ipynb", [code_cell(c) for c in cells])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")
    run = Runner(page)

    run(0)
    handle = frame(page, 0).locator(".noUi-handle")
    expect(handle).to_be_visible(timeout=60_000)
    handle.focus()
    handle.press("ArrowRight")
    expect(frame(page, 0).locator(".widget-readout")).to_have_text("4")
    run.until(1, "level is 4")

    run(2)
    grid = frame(page, 2).locator(".widget-gridbox")
    expect(grid).to_be_visible(timeout=60_000)
    expect(grid.get_by_role("button")).to_have_count(4)
    expect(grid.get_by_role("button", name="cell 11")).to_be_visible()

    run(3)
    inner = frame(page, 3)
    expect(inner.locator(".widget-output")).to_have_text("captured line", timeout=60_000)
    expect(inner.get_by_text("cell line")).to_be_visible()
    expect(inner.get_by_text("captured line")).to_have_count(1)
    page.set_viewport_size({"width": 1280, "height": 1200})
    page.screenshot(path="/tmp/cloudbook-live-widgets.png", full_page=True)
    saved = fetch_notebook(page, nb_id)["content"]["cells"][3]["outputs"]
    streams = "".join(o.get("text", "") for o in saved if o["output_type"] == "stream")
    assert streams == "cell line\n"
