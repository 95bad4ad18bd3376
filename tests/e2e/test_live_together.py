"""Two pages on one notebook with live documents on: typing in one shows in the other (with
its cursor), both typing in one cell converge, and the service saves the file from the
shared document."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-live-together.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_POOL_SIZE": "0"}


def type_at_end(page: Page, index: int, text: str) -> None:
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


# The cell's code, without the other pages' cursor labels drawn into it.
CODE_OF = """(el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.cm-ySelectionCaret').forEach((c) => c.remove());
    return [...copy.querySelectorAll('.cm-line')]
        .map((l) => l.textContent.replace(/\u2060/g, '')).join('\\n');
}"""


def editor_text(page: Page, index: int) -> str:
    content = page.get_by_test_id("cell").nth(index).locator(".cm-content")
    return str(content.evaluate(CODE_OF))


def live(page: Page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")


def test_two_pages_type_in_one_cell_and_converge(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "together.ipynb", [code_cell("x = 1"), code_cell("y = 2")])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    for p in (page, other):
        live(p)
    type_at_end(page, 0, "  # one")
    expect(other.get_by_test_id("cell").nth(0)).to_contain_text("x = 1  # one")
    # The other page shows where this one's cursor is, with the user's name.
    caret = other.get_by_test_id("cell").nth(0).locator(".cm-ySelectionCaret")
    expect(caret).to_have_count(1)
    expect(caret.locator(".cm-ySelectionInfo")).to_have_text("alice")
    # Both type into the same cell before seeing the other's keys.
    type_at_end(page, 1, "0")
    type_at_end(other, 1, "9")
    for p in (page, other):  # each page has both keys once the other's arrived
        p.wait_for_function(
            f"() => /^y = 2(09|90)$/.test(({CODE_OF})(document.querySelectorAll("
            "'[data-testid=cell] .cm-content')[1]))"
        )
    assert editor_text(page, 1) == editor_text(other, 1)
    # The service saves the file from the document.
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["x = 1  # one", editor_text(page, 1)]
    page.screenshot(path=SCREENSHOT, full_page=True)
