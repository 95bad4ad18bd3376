"""With live documents off (`CLOUDBOOK_LIVE_DOCUMENTS=0`), pages save by PUT: two pages
editing the same notebook merge on the later save instead of losing either side, and a save
over a newer revision says so. (With live documents, the default, pages edit one shared
document instead: tests/e2e/test_live_together.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_spine import new_notebook, other_client, type_in_cell

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-conflict.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "0"}


def set_cell(page: Page, index: int, text: str) -> None:
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def codes(page: Page) -> list[str]:
    return [cell_code(page, i) for i in range(page.get_by_test_id("cell").count())]


def test_two_pages_edit_the_same_notebook(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    cells = [code_cell("a = 1"), code_cell("b = 2"), code_cell("c = 3")]
    nb_id = create_notebook(page, "shared.ipynb", cells)
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    for p in (page, other):
        expect(p.get_by_test_id("cell")).to_have_count(3)

    # The first page saves a change to cell a.
    set_cell(page, 0, "a = 'first'")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)

    # The second, still on the old revision, changes a and b: its save meets a newer one.
    set_cell(other, 0, "a = 'second'")
    set_cell(other, 1, "b = 'second'")
    banner = other.get_by_role("alert")
    expect(banner).to_contain_text("changed elsewhere", timeout=20_000)
    expect(banner).to_contain_text("1 cell was changed on both sides")
    expect(other.get_by_test_id("cell")).to_have_count(4)
    assert codes(other) == ["a = 'second'", "a = 'first'", "b = 'second'", "c = 3"]
    note = other.get_by_test_id("cell").nth(1).get_by_test_id("conflict-note")
    expect(note).to_contain_text("Conflict")
    expect(other.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    other.screenshot(path=SCREENSHOT)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["a = 'second'", "a = 'first'", "b = 'second'", "c = 3"]
    assert "cloudbook_conflict" in saved[1]["metadata"]

    # The first page edits again: it takes the merge in, with its own new change.
    set_cell(page, 2, "c = 'first again'")
    expect(page.get_by_role("alert")).to_contain_text("No conflicts", timeout=20_000)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    expected = ["a = 'second'", "a = 'first'", "b = 'second'", "c = 'first again'"]
    assert codes(page) == expected
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == expected

    # "Keep both" clears the mark, and that is saved too.
    page.get_by_test_id("cell").nth(1).get_by_test_id("conflict-dismiss").click()
    expect(page.get_by_test_id("conflict-note")).to_have_count(0)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert "cloudbook_conflict" not in saved[1]["metadata"]


def test_a_save_over_a_newer_revision_says_so(page: Page, cloudbook_server: Served) -> None:
    new_notebook(page, cloudbook_server)
    type_in_cell(page, 0, "x = 1")
    save_state = page.get_by_test_id("save-state")
    expect(save_state).to_have_text("Saved", timeout=30_000)
    notebook_id = page.url.rsplit("/", 1)[1]

    # Someone else saves the notebook meanwhile.
    with other_client(cloudbook_server) as other:
        current = other.get(f"/api/notebooks/{notebook_id}").json()
        body = {"content": current["content"], "base_revision": current["revision"]}
        other.put(f"/api/notebooks/{notebook_id}", json=body).raise_for_status()

    type_in_cell(page, 0, "\ny = 2")
    # The newer revision is merged in (it changed nothing here) and saved on top of.
    expect(page.get_by_role("alert")).to_contain_text("This notebook was changed elsewhere")
    expect(save_state).to_have_text("Saved", timeout=30_000)
    with other_client(cloudbook_server) as other:
        saved = other.get(f"/api/notebooks/{notebook_id}").json()
    assert saved["revision"] == current["revision"] + 2
    assert saved["content"]["cells"][0]["source"] == "x = 1\ny = 2"
