"""A 500-cell notebook (10 KB of output in each cell) opens with live documents on, and
its last cell can be reached, edited and run by the service."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bench.notebooks import LAST_MARKER, big_notebook
from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook, log_in, store_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-live-big-notebook.png"
CELLS = 500


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


def test_the_last_of_500_cells_is_edited_and_run(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = store_notebook(page, "big.ipynb", big_notebook(CELLS))
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(CELLS, timeout=60_000)
    state = page.get_by_test_id("save-state")
    expect(state).to_have_attribute("data-synced", "true", timeout=60_000)

    last = cells.nth(CELLS - 1)
    last.scroll_into_view_if_needed()
    expect(last.get_by_test_id("outputs")).to_contain_text(LAST_MARKER)
    last.locator(".editor").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("print('the last cell', 500 * 2)")
    last.get_by_role("button", name="Run cell").click()
    expect(last.get_by_test_id("outputs")).to_have_text("the last cell 1000", timeout=90_000)
    page.screenshot(path=SCREENSHOT)

    # The run and the edit are in the service's document, and so in the saved file.
    page.keyboard.press("Control+s")
    expect(state).to_have_text("Saved and pinned")
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert len(saved) == CELLS
    assert saved[-1]["source"] == "print('the last cell', 500 * 2)"
    assert saved[-1]["outputs"][0]["text"] == "the last cell 1000\n"
    assert LAST_MARKER not in str(saved[-1]["outputs"])
    assert saved[0]["source"].startswith("# cell 0")


def test_the_page_asks_for_its_notebook_once_and_early(
    page: Page, cloudbook_server: Served
) -> None:
    """The notebook page's HTML preloads the notebook's GET (a Link header), and the app
    takes that response instead of asking again."""
    log_in(page, cloudbook_server)
    nb_id = store_notebook(page, "small.ipynb", big_notebook(3))
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.method) if r.url.endswith(f"/api/notebooks/{nb_id}") else None,
    )
    response = page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    assert response is not None
    preload = f"</api/notebooks/{nb_id}>; rel=preload; as=fetch; crossorigin"
    assert response.headers["link"] == preload
    expect(page.get_by_test_id("cell")).to_have_count(3)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    assert asked == ["GET"]

    # Signed out: the preload is refused, and the page shows the login form.
    page.context.clear_cookies()
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
