"""With live documents on, a page that was away takes up its runtime again and says so;
outputs a run wrote are in the shared document; Ctrl+S pins a revision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-live-reconnect.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


def run_cell(page: Page, index: int) -> None:
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def test_reload_reconnects_to_the_same_runtime(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [code_cell("x = 41; print('set')"), code_cell("print(x + 1)")]
    nb_id = create_notebook(page, "reconnect.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    run_cell(page, 0)
    first = page.get_by_test_id("cell").nth(0).get_by_test_id("outputs")
    expect(first).to_have_text("set", timeout=90_000)

    page.reload()
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "idle", timeout=30_000)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Reconnected to this notebook's runtime")
    # Good news, drawn as such: blue, not the red of an error.
    background = notice.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(232, 240, 254)", background
    # The output the run wrote came back with the document, and the kernel kept `x`.
    expect(first).to_have_text("set")
    run_cell(page, 1)
    expect(page.get_by_test_id("cell").nth(1).get_by_test_id("outputs")).to_have_text("42")
    page.screenshot(path=SCREENSHOT, full_page=True)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert saved[1]["outputs"][0]["text"] == "42\n"


def test_ctrl_s_pins_a_revision(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "pin.ipynb", [code_cell("a = 1")])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  # kept")
    page.keyboard.press("Control+s")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved and pinned")
    api = f"{cloudbook_server.base}/api/notebooks/{nb_id}/revisions"
    listed = page.request.get(api).json()["revisions"]
    found = [r for r in listed if r["pinned"]]
    assert len(found) == 1
    revision = page.request.get(f"{api}/{found[0]['revision']}").json()
    assert revision["content"]["cells"][0]["source"] == "a = 1  # kept"


def test_revision_history_compares_a_pinned_revision_with_the_current_one(
    page: Page, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "diff.ipynb", [code_cell("a = 1\nb = 2")])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    page.keyboard.press("Control+s")
    state = page.get_by_test_id("save-state")
    expect(state).to_have_text("Saved and pinned")
    pinned = state.get_attribute("data-saved-revision")
    assert pinned
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nc = 3")
    expect(state).not_to_have_attribute("data-saved-revision", pinned)
    expect(state).to_have_text("Saved")

    page.get_by_test_id("sidebar-revisions").click()
    rows = page.get_by_test_id("revision")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("pinned")
    rows.nth(1).click()
    preview = page.get_by_test_id("revision-preview")
    preview.get_by_test_id("revision-compare").click()
    diff = preview.get_by_test_id("revision-diff-cell")
    expect(diff).to_have_count(1)
    expect(diff.locator("[data-op=add]")).to_have_text("+ c = 3")
    expect(diff.locator("[data-op=same]")).to_have_count(2)
    page.screenshot(path="/tmp/cloudbook-revision-diff.png")
