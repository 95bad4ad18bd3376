"""Form fields keep the keyboard while they rewrite their line, as in Colab: a slider moved
with the arrow keys, a dropdown changed from the keyboard, a text field typed into."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FORM = "\n".join(
    [
        "#@title Settings",
        'steps = 3  #@param {type:"slider", min:0, max:10, step:1}',
        'color = \'red\'  #@param ["red", "green", "blue"]',
        "name = 'Ada'  #@param {type:\"string\"}",
        "print(steps, color, name)",
    ]
)


def control(page: Page, name: str, kind: str) -> Locator:
    return page.locator(f'.form-field[data-field="{name}"]').locator(kind)


def line(page: Page, n: int) -> str:
    return cell_code(page, 0).split("\n")[n]


def test_fields_keep_focus_while_they_rewrite(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "focus.ipynb", [code_cell(FORM)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    slider = control(page, "steps", "input")
    editor = page.get_by_test_id("cell").first.locator(".cm-content")
    expect(editor).to_contain_text("steps = 3")

    # Each ArrowRight moves the focused slider one step and the code follows.
    slider.focus()
    for value in (4, 5, 6):
        page.keyboard.press("ArrowRight")
        expect(editor).to_contain_text(f"steps = {value}  #@param")
        expect(slider).to_be_focused()
        expect(slider).to_have_value(str(value))
    page.keyboard.press("ArrowLeft")
    expect(editor).to_contain_text("steps = 5  #@param")
    expect(slider).to_be_focused()

    # A dropdown changed with the keyboard keeps the focus too.
    select = control(page, "color", "select")
    select.focus()
    page.keyboard.press("ArrowDown")
    expect(editor).to_contain_text("color = 'green'")
    expect(select).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(editor).to_contain_text("color = 'blue'")
    expect(select).to_be_focused()

    # A text field rewrites its line on every keystroke, focus staying in the field.
    text = control(page, "name", "input")
    text.click()
    page.keyboard.press("End")
    for typed in ("Ada ", "Ada L", "Ada Lo"):
        page.keyboard.type(typed[-1])
        expect(editor).to_contain_text(f"name = '{typed}'  #@param")
        expect(text).to_be_focused()
    assert line(page, 3) == "name = 'Ada Lo'  #@param {type:\"string\"}"
    page.keyboard.type("ve'")
    expect(editor).to_contain_text('name = "Ada Love\'"  #@param')  # quoted as Python would
    expect(text).to_be_focused()
    expect(text).to_have_value("Ada Love'")
    page.screenshot(path="/tmp/cloudbook-form-focus.png")

    # Only the changed lines moved, and the saved notebook has them.
    assert line(page, 1) == 'steps = 5  #@param {type:"slider", min:0, max:10, step:1}'
    assert line(page, 4) == "print(steps, color, name)"
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]["source"]
    assert "steps = 5 " in saved and "color = 'blue'" in saved and "Ada Love" in saved
