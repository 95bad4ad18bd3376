"""Editor basics a Colab user expects in a cell: multiple cursors, auto-indent, brackets."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def open_cell(page: Page, served: Served, source: str) -> Locator:
    log_in(page, served)
    nb_id = create_notebook(page, "edit.ipynb", [code_cell(source)])
    page.goto(f"{served.base}/notebooks/{nb_id}")
    content = page.get_by_test_id("cell").first.locator(".cm-content")
    content.click()
    return content


def select_all_and_type(page: Page, text: str) -> None:
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_multiple_cursors(page: Page, cloudbook_server: Served) -> None:
    content = open_cell(page, cloudbook_server, "a = 1\nb = a + a")

    # Ctrl+D selects the word, then adds its next occurrences; typing replaces them all.
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+d")
    page.keyboard.press("Control+d")
    page.keyboard.press("Control+d")
    page.keyboard.type("x")
    assert cell_code(page, 0) == "x = 1\nb = x + x"

    # Alt+click adds a cursor.
    select_all_and_type(page, "one\ntwo")
    lines = content.locator(".cm-line")
    lines.nth(0).click()
    page.keyboard.press("End")
    box = lines.nth(1).bounding_box()
    assert box
    page.keyboard.down("Alt")
    page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
    page.keyboard.up("Alt")
    page.keyboard.type("!")
    assert cell_code(page, 0) == "one!\ntwo!"

    # Alt+Shift+drag selects a rectangle: typing goes to each line.
    select_all_and_type(page, "abc\nabc\nabc")
    first = lines.nth(0).bounding_box()
    last = lines.nth(2).bounding_box()
    assert first and last
    page.keyboard.down("Alt")
    page.keyboard.down("Shift")
    page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + 1, last["y"] + last["height"] / 2, steps=5)
    page.mouse.up()
    page.keyboard.up("Shift")
    page.keyboard.up("Alt")
    page.keyboard.type("#")
    assert cell_code(page, 0) == "#abc\n#abc\n#abc"


def test_indent_and_brackets(page: Page, cloudbook_server: Served) -> None:
    open_cell(page, cloudbook_server, "")
    page.keyboard.type("def f(x):\nreturn [x,\n")
    # Enter indents after a colon and inside an open bracket; brackets close themselves.
    assert cell_code(page, 0).startswith("def f(x):\n  return [x,\n")
    assert cell_code(page, 0).endswith("]")
    page.keyboard.press("Control+End")
    expect(page.locator(".cm-matchingBracket")).to_have_count(2)
