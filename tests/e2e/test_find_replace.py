"""Find and replace across the notebook, as a user does with Ctrl+H / Ctrl+F."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-find.png"


def markdown_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


CELLS = [
    code_cell("total = 1\nprint(total)"),
    code_cell("Total = total + 1"),
    markdown_cell("The **total** is shown"),
    code_cell("other = 2"),
]


def open_notebook(page: Page, served: Served) -> str:
    log_in(page, served)
    nb_id = create_notebook(page, "find.ipynb", CELLS)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(4)
    return nb_id


def current_match(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index).locator(".cm-find-current")


def test_find_counts_and_moves_between_cells(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server)
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+Home")  # the first match is the one after the cursor
    page.keyboard.press("Control+f")
    bar = page.get_by_test_id("find-bar")
    expect(bar).to_be_visible()
    count = page.get_by_test_id("find-count")

    page.get_by_test_id("find-input").fill("total")
    # Case-insensitive by default: 2 + 2 in code cells, 1 in the text cell.
    expect(count).to_have_text("1 of 5")
    marks = page.locator(".cm-find-match")
    expect(marks.filter(visible=True)).to_have_count(4)  # the text cell shows its preview

    page.keyboard.press("Enter")  # selects the current match
    expect(count).to_have_text("1 of 5")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(count).to_have_text("3 of 5")
    expect(current_match(page, 1)).to_have_text("Total")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(count).to_have_text("5 of 5")
    # The text cell left its rendered view to show the match in its source.
    expect(page.get_by_test_id("cell").nth(2).locator(".cm-content")).to_be_visible()
    expect(current_match(page, 2)).to_have_text("total")
    page.keyboard.press("Enter")
    expect(count).to_have_text("1 of 5")  # wraps around
    page.keyboard.press("Shift+Enter")
    expect(count).to_have_text("5 of 5")
    # Escape goes back to the editor with the match selected.
    page.keyboard.press("Escape")
    assert page.evaluate("() => window.getSelection().toString()") == "total"
    page.keyboard.press("Control+f")
    expect(count).to_have_text("5 of 5")

    page.get_by_test_id("find-case").check()
    expect(count).to_have_text("4 of 4")  # still at the text cell's match
    page.get_by_test_id("find-regex").check()
    page.get_by_test_id("find-input").fill(r"^\w+ =")
    expect(count).to_have_text("3 of 3")  # the next after the cursor: "other ="
    page.get_by_test_id("find-input").fill("(")
    expect(count).to_have_text("No results")
    expect(page.get_by_test_id("find-input")).to_have_class("invalid")

    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(page.locator(".cm-find-match")).to_have_count(0)


def test_replace_all_changes_three_cells_each_undoable(
    page: Page, cloudbook_server: Served
) -> None:
    nb_id = open_notebook(page, cloudbook_server)
    page.get_by_test_id("cell").nth(3).locator(".cm-content").click()
    page.keyboard.press("Control+h")
    page.get_by_test_id("find-input").fill("total")
    page.get_by_test_id("replace-input").fill("amount")
    page.get_by_test_id("find-bar").screenshot(path="/tmp/cloudbook-find-bar.png")
    page.screenshot(path=SCREENSHOT)
    page.get_by_test_id("replace-all").click()
    expect(page.get_by_test_id("find-count")).to_have_text("No results")

    assert cell_code(page, 0) == "amount = 1\nprint(amount)"
    assert cell_code(page, 1) == "amount = amount + 1"
    assert cell_code(page, 3) == "other = 2"
    # The rendered text cell shows the new text.
    expect(page.get_by_test_id("markdown")).to_contain_text("The amount is shown")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = [c["source"] for c in fetch_notebook(page, nb_id)["content"]["cells"]]
    assert saved == [
        "amount = 1\nprint(amount)",
        "amount = amount + 1",
        "The **amount** is shown",
        "other = 2",
    ]

    # One undo in the first cell takes back all of its replacements, and only there.
    page.keyboard.press("Escape")
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+z")
    assert cell_code(page, 0) == "total = 1\nprint(total)"
    assert cell_code(page, 1) == "amount = amount + 1"

    # Replace one at a time, with regex groups.
    page.keyboard.press("Control+h")
    page.get_by_test_id("find-regex").check()
    page.get_by_test_id("find-case").check()
    page.get_by_test_id("find-input").fill(r"(\w+) = (\d)$")
    page.get_by_test_id("replace-input").fill("$1 = $2$2")
    expect(page.get_by_test_id("find-count")).to_have_text("1 of 2")
    page.get_by_test_id("replace-one").click()
    assert cell_code(page, 0) == "total = 11\nprint(total)"
    expect(page.get_by_test_id("find-count")).to_have_text("1 of 1")
    page.get_by_test_id("replace-one").click()
    assert cell_code(page, 3) == "other = 22"
    expect(page.get_by_test_id("find-count")).to_have_text("No results")
