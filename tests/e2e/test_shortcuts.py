"""Colab's keyboard: the shortcuts dialog (Ctrl+M H), the command palette
(Ctrl+Shift+P) with its fuzzy filter, Esc/Enter between modes, and line numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-palette.png"


def sources(page: Page) -> list[str]:
    return [
        "\n".join(t.rstrip("\n") for t in cell.locator(".cm-line").all_inner_texts())
        for cell in page.get_by_test_id("cell").all()
    ]


def test_dialog_palette_and_modes(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(
        page,
        "keys.ipynb",
        [code_cell("a = 1"), code_cell("b = 2"), code_cell("c = 3"), code_cell("d = 4")],
    )
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(4)

    # Esc leaves the editor for the cell; Enter goes back to editing it.
    cells.nth(1).locator(".cm-content").click()
    page.keyboard.press("Escape")
    expect(cells.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(cells.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(cells.nth(2).locator(".cm-content")).to_be_focused()
    page.keyboard.insert_text("# ")
    assert sources(page)[2] == "# c = 3"

    # The shortcuts dialog lists Colab's bindings.
    page.keyboard.press("Control+m")
    page.keyboard.press("h")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    rows = dialog.get_by_test_id("shortcut")
    expect(rows.filter(has_text="Insert code cell below")).to_contain_text("Ctrl+M B")
    expect(rows.filter(has_text="Run before")).to_contain_text("Ctrl+F8")
    expect(rows.filter(has_text="Move selected cells up")).to_contain_text("Ctrl+M K")
    expect(rows.filter(has_text="Show command palette")).to_contain_text("Ctrl+Shift+P")
    assert rows.count() >= 25
    page.screenshot(path="/tmp/cloudbook-shortcuts.png")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Line numbers toggle (Ctrl+M L), and back.
    expect(cells.nth(0).locator(".cm-gutters")).to_be_visible()
    page.keyboard.press("Control+m")
    page.keyboard.press("l")
    expect(cells.nth(0).locator(".cm-gutters")).to_be_hidden()
    page.keyboard.press("Control+m")
    page.keyboard.press("l")
    expect(cells.nth(0).locator(".cm-gutters")).to_be_visible()

    # Two cells selected, then the palette: it filters fuzzily and runs on the selection.
    page.keyboard.press("Escape")
    cells.nth(3).get_by_test_id("execution-count").click(modifiers=["Shift"])
    expect(page.locator(".cell.selected")).to_have_count(2)
    page.keyboard.press("Control+Shift+P")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette).to_be_visible()
    options = palette.get_by_role("option")
    total = options.count()
    assert total >= 25
    page.get_by_test_id("palette-input").fill("sel")
    page.screenshot(path=SCREENSHOT)
    page.get_by_test_id("palette-input").fill("mv sel up")
    expect(options.first).to_have_text(re.compile("^Move selected cells up"))
    assert options.count() < total
    page.keyboard.press("Enter")
    expect(palette).to_have_count(0)
    assert sources(page) == ["a = 1", "# c = 3", "d = 4", "b = 2"]

    # Filtering to nothing says so; clicking a command runs it.
    page.keyboard.press("Control+Shift+P")
    page.get_by_test_id("palette-input").fill("zzzzqq")
    expect(palette).to_contain_text("No matching commands")
    page.get_by_test_id("palette-input").fill("convert text")
    palette.get_by_role("option", name=re.compile("Convert to text cell")).click()
    expect(page.locator(".cell-markdown")).to_have_count(2)

    # Split at the cursor (Ctrl+M -); undo brings the cell back whole.
    cells.nth(0).locator(".cm-content").click()
    page.keyboard.press("End")
    page.keyboard.insert_text("\nsplit = 2")
    page.keyboard.press("Home")
    page.keyboard.press("Control+m")
    page.keyboard.press("-")
    assert sources(page)[:2] == ["a = 1", "split = 2"]
    expect(cells.nth(1).locator(".cm-content")).to_be_focused()
    page.keyboard.press("Control+m")
    page.keyboard.press("z")
    assert sources(page)[0] == "a = 1\nsplit = 2"
