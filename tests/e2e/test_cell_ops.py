"""Cell operations as a Colab user does them: insert above/below (keys, toolbar, the
hover bar), move, delete, convert, undo/redo, multi-cell selection, and copy/paste of
cells into a second notebook."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def sources(page: Page) -> list[str]:
    return [
        # An empty line renders as a <br>: its inner text is "\n".
        "\n".join(t.rstrip("\n") for t in cell.locator(".cm-line").all_inner_texts())
        for cell in page.get_by_test_id("cell").all()
    ]


def kinds(page: Page) -> list[str]:
    return [
        "text" if "cell-markdown" in (c.get_attribute("class") or "") else "code"
        for c in page.get_by_test_id("cell").all()
    ]


def command_mode(page: Page, index: int) -> None:
    """Click into a cell's editor, then Esc: the cell itself is current, keys act on cells."""
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("cell").nth(index)).to_be_focused()


def chord(page: Page, key: str) -> None:
    page.keyboard.press("Control+m")
    page.keyboard.press(key)


def open_notebook(page: Page, served: Served, name: str, cells: list[str]) -> str:
    nb_id = create_notebook(page, name, [code_cell(s) for s in cells])
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


def test_insert_move_delete_convert_and_undo(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = open_notebook(page, cloudbook_server, "ops.ipynb", ["a = 1", "b = 2", "c = 3"])
    cells = page.get_by_test_id("cell")

    command_mode(page, 0)
    expect(cells.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    chord(page, "b")  # insert code cell below, editing it
    page.keyboard.insert_text("x = 9")
    assert sources(page) == ["a = 1", "x = 9", "b = 2", "c = 3"]
    expect(cells.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))

    page.keyboard.press("Escape")
    chord(page, "a")  # insert above the current cell
    assert sources(page) == ["a = 1", "", "x = 9", "b = 2", "c = 3"]
    page.keyboard.press("Escape")
    chord(page, "d")  # delete it again
    assert sources(page) == ["a = 1", "x = 9", "b = 2", "c = 3"]

    command_mode(page, 1)
    chord(page, "k")  # move up
    assert sources(page) == ["x = 9", "a = 1", "b = 2", "c = 3"]
    chord(page, "j")
    chord(page, "j")  # move down twice
    assert sources(page) == ["a = 1", "b = 2", "x = 9", "c = 3"]
    chord(page, "z")  # undo the moves one by one
    assert sources(page) == ["a = 1", "x = 9", "b = 2", "c = 3"]
    chord(page, "z")
    assert sources(page) == ["x = 9", "a = 1", "b = 2", "c = 3"]
    chord(page, "z")
    assert sources(page) == ["a = 1", "x = 9", "b = 2", "c = 3"]
    chord(page, "z")  # then the delete: the empty cell is back
    assert sources(page) == ["a = 1", "", "x = 9", "b = 2", "c = 3"]
    page.keyboard.press("Control+Shift+Y")  # redo the delete
    assert sources(page) == ["a = 1", "x = 9", "b = 2", "c = 3"]

    # Convert to text and back (Ctrl+M M / Ctrl+M Y).
    command_mode(page, 3)
    chord(page, "m")
    assert kinds(page) == ["code", "code", "code", "text"]
    chord(page, "y")
    assert kinds(page) == ["code", "code", "code", "code"]

    # The cell toolbar: insert a code cell above the first cell, a text cell below it.
    cells.nth(0).hover()
    cells.nth(0).get_by_role("button", name="Insert code cell above").click()
    page.keyboard.insert_text("top = 0")
    assert sources(page)[:2] == ["top = 0", "a = 1"]
    cells.nth(1).hover()
    cells.nth(1).get_by_role("button", name="Insert text cell below").click()
    page.keyboard.insert_text("# Notes")
    assert kinds(page) == ["code", "code", "text", "code", "code", "code"]

    # The hover bar between two cells: "+ Code" lands between them.
    between = cells.nth(4).get_by_test_id("insert-code-here")
    between.hover()
    page.screenshot(path="/tmp/cloudbook-insert-bar.png")
    between.click()
    page.keyboard.insert_text("between = 1")
    assert sources(page) == [
        "top = 0",
        "a = 1",
        "# Notes",
        "x = 9",
        "between = 1",
        "b = 2",
        "c = 3",
    ]

    # The Edit menu undoes the last insert too.
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Undo last cell operation")).click()
    assert sources(page) == ["top = 0", "a = 1", "# Notes", "x = 9", "b = 2", "c = 3"]

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == [
        "top = 0",
        "a = 1",
        "# Notes",
        "x = 9",
        "b = 2",
        "c = 3",
    ]
    assert [c["cell_type"] for c in saved][:3] == ["code", "code", "markdown"]


def test_undo_restores_a_deleted_cell_with_its_output(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    open_notebook(page, cloudbook_server, "undo.ipynb", ["print('hello from the kernel')", "b = 2"])
    cells = page.get_by_test_id("cell")
    cells.nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(cells.nth(0).get_by_test_id("outputs")).to_have_text(
        "hello from the kernel", timeout=60_000
    )
    expect(cells.nth(0).get_by_test_id("execution-count")).to_have_text("[1]")

    # Text selected in an output copies as text, not as cells.
    cells.nth(0).get_by_test_id("outputs").locator("pre").dblclick()
    page.keyboard.press("Control+c")
    assert page.evaluate("localStorage.getItem('cloudbook.cell-clipboard')") is None

    cells.nth(0).hover()
    cells.nth(0).get_by_role("button", name="Delete cell").click()
    expect(cells).to_have_count(1)
    assert sources(page) == ["b = 2"]

    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Undo last cell operation")).click()
    expect(cells).to_have_count(2)
    assert sources(page) == ["print('hello from the kernel')", "b = 2"]
    expect(cells.nth(0).get_by_test_id("outputs")).to_have_text("hello from the kernel")
    expect(cells.nth(0).get_by_test_id("execution-count")).to_have_text("[1]")


def test_selection_and_paste_into_another_notebook(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    first_id = open_notebook(
        page, cloudbook_server, "one.ipynb", ["a = 1", "b = 2", "c = 3", "d = 4"]
    )
    cells = page.get_by_test_id("cell")

    # Shift+Down extends the selection from the current cell.
    command_mode(page, 0)
    page.keyboard.press("Shift+ArrowDown")
    expect(page.locator(".cell.selected")).to_have_count(2)
    chord(page, "j")  # the block of two moves down
    assert sources(page) == ["c = 3", "a = 1", "b = 2", "d = 4"]

    # Shift+click selects a range; copy it (Ctrl+C in command mode).
    command_mode(page, 1)
    cells.nth(3).get_by_test_id("execution-count").click(modifiers=["Shift"])
    expect(page.locator(".cell.selected")).to_have_count(3)
    page.keyboard.press("Control+c")

    second_id = create_notebook(page, "two.ipynb", [code_cell("z = 0")])
    page.goto(f"{cloudbook_server.base}/notebooks/{second_id}")
    expect(cells).to_have_count(1)
    command_mode(page, 0)
    # Only the system clipboard has the cells now (not the localStorage fallback).
    page.evaluate("localStorage.removeItem('cloudbook.cell-clipboard')")
    page.keyboard.press("Control+v")
    expect(cells).to_have_count(4)
    assert sources(page) == ["z = 0", "a = 1", "b = 2", "d = 4"]
    expect(page.locator(".cell.selected")).to_have_count(3)  # the pasted cells
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    second = fetch_notebook(page, second_id)["content"]["cells"]
    first = fetch_notebook(page, first_id)["content"]["cells"]
    assert [c["source"] for c in second] == ["z = 0", "a = 1", "b = 2", "d = 4"]
    assert not {c["id"] for c in second} & {c["id"] for c in first}  # new ids

    # Cut the pasted block (Ctrl+X), paste it back above... below the first cell again.
    page.keyboard.press("Control+x")
    assert sources(page) == ["z = 0"]
    command_mode(page, 0)
    page.keyboard.press("Control+v")
    assert sources(page) == ["z = 0", "a = 1", "b = 2", "d = 4"]

    # Ctrl+M C / Ctrl+M V (no clipboard event: the local copy) duplicates the current cell.
    command_mode(page, 0)
    chord(page, "c")
    chord(page, "v")
    assert sources(page) == ["z = 0", "z = 0", "a = 1", "b = 2", "d = 4"]
    chord(page, "z")
    assert sources(page) == ["z = 0", "a = 1", "b = 2", "d = 4"]

    # Select all (Ctrl+A in command mode), delete the selection: one empty cell remains.
    page.keyboard.press("Control+a")
    expect(page.locator(".cell.selected")).to_have_count(4)
    chord(page, "d")
    assert sources(page) == [""]
    chord(page, "z")
    assert sources(page) == ["z = 0", "a = 1", "b = 2", "d = 4"]
