"""Form fields keep the keyboard while they rewrite their line, as in Colab: a slider moved
with the arrow keys, a dropdown changed from the keyboard, a text field typed into."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_live_early_edit import HeldSocket
from tests.e2e.test_live_together import editor_text, live, type_at_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


# Both pages: the service's live document (the page only views it) and the page's own
# kernel socket; each must draw every output once and keep a field's focus.
@pytest.fixture(params=["live", "page"])
def serve_env(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1" if request.param == "live" else "0"}


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


@pytest.mark.parametrize("serve_env", [{"CLOUDBOOK_LIVE_DOCUMENTS": "1"}])
def test_a_field_keeps_focus_across_the_first_sync_and_another_pages_edit(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    """Live documents: the field typed into keeps the keyboard, caret and what was typed
    when the document first arrives (held back here until after the typing) and when
    another page edits the same cell; its line is still rewritten, in both pages."""
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "focus-live.ipynb", [code_cell(FORM)])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    socket = HeldSocket()
    page.route_web_socket("**/live", socket)
    page.goto(url)
    editor = page.get_by_test_id("cell").first.locator(".cm-content")
    expect(editor).to_contain_text("name = 'Ada'")
    text = control(page, "name", "input")
    text.click()
    page.keyboard.press("End")
    page.keyboard.type("x")
    expect(editor).to_contain_text("name = 'Adax'  #@param")
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    socket.release_when_held(page)
    live(page)
    expect(text).to_be_focused()
    page.keyboard.type("y")
    expect(editor).to_contain_text("name = 'Adaxy'  #@param")
    expect(text).to_have_value("Adaxy")

    # Another page types at the end of the same cell while the field has the keyboard.
    other = context.new_page()
    other.goto(url)
    live(other)
    type_at_end(other, 0, "  # other")
    expect(editor).to_contain_text("print(steps, color, name)  # other")
    text.focus()  # the other page took the window's focus; the field takes it back
    page.keyboard.press("Home")  # the caret moves inside the field, nothing else does
    page.keyboard.type("_")
    expect(text).to_have_value("_Adaxy")
    type_at_end(other, 0, "!")
    expect(editor).to_contain_text("# other!")
    expect(text).to_be_focused()
    page.keyboard.type("z")  # the caret stayed after the "_"
    expect(text).to_have_value("_zAdaxy")
    expect(other.get_by_test_id("cell").first).to_contain_text("name = '_zAdaxy'  #@param")
    assert editor_text(page, 0).split("\n")[3] == "name = '_zAdaxy'  #@param {type:\"string\"}"
