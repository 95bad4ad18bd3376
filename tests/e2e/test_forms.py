"""Colab forms in the editor: each field kind rewrites its own line; run-auto; hide code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FORM = "\n".join(
    [
        "#@title Settings",
        "#@markdown Pick your options:",
        'name = \'Ada\'  #@param {type:"string", placeholder:"your name"}',
        'color = \'red\'  #@param ["red", "green", "blue"]',
        'model = \'small\'  #@param ["small", "large"] {allow-input: true}',
        'rate = 0.5  #@param {type:"slider", min:0, max:1, step:0.1}',
        'verbose = False  #@param {type:"boolean"}',
        "when = '2024-01-01'  #@param {type:\"date\"}",
        'count = 3  #@param {type:"integer"}',
        'broken = 1  #@param {type:"slider"}',
    ]
)


def field(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.form-field[data-field="{name}"]')


def test_each_field_kind_rewrites_only_its_line(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "form.ipynb", [code_cell(FORM)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    form = page.get_by_test_id("cell-form")
    expect(form.locator(".form-title")).to_have_text("Settings")
    expect(form).to_contain_text("Pick your options:")
    expect(field(page, "broken")).to_contain_text("slider")  # a note, and the rest still works

    field(page, "name").locator("input").fill('Grace "G" Hopper')
    field(page, "name").locator("input").press("Enter")
    field(page, "color").locator("select").select_option(label="blue")
    field(page, "model").locator("input").fill("medium")
    field(page, "model").locator("input").press("Enter")
    field(page, "rate").locator("input").fill("0.8")
    field(page, "verbose").locator("input").check()
    field(page, "when").locator("input").fill("2025-03-14")
    field(page, "count").locator("input").fill("42")
    field(page, "count").locator("input").press("Enter")

    expected = "\n".join(
        [
            "#@title Settings",
            "#@markdown Pick your options:",
            'name = \'Grace "G" Hopper\'  #@param {type:"string", placeholder:"your name"}',
            'color = \'blue\'  #@param ["red", "green", "blue"]',
            'model = \'medium\'  #@param ["small", "large"] {allow-input: true}',
            'rate = 0.8  #@param {type:"slider", min:0, max:1, step:0.1}',
            'verbose = True  #@param {type:"boolean"}',
            "when = '2025-03-14'  #@param {type:\"date\"}",
            'count = 42  #@param {type:"integer"}',
            'broken = 1  #@param {type:"slider"}',
        ]
    )
    expect(page.get_by_test_id("cell").first.locator(".cm-content")).to_contain_text("count = 42")
    assert cell_code(page, 0) == expected
    page.screenshot(path="/tmp/cloudbook-forms.png")

    # Undo in the editor takes back the last field change.
    page.get_by_test_id("cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+z")
    expect(field(page, "count").locator("input")).to_have_value("3")
    assert "count = 3  #@param" in cell_code(page, 0)
    assert "when = '2025-03-14'" in cell_code(page, 0)  # only the last change is undone

    # Editing the code updates the form.
    page.get_by_test_id("cell").first.locator(".cm-line").nth(2).click()
    page.keyboard.press("End")
    page.keyboard.press("Home")
    page.keyboard.press("Control+Home")
    content = page.get_by_test_id("cell").first.locator(".cm-content")
    content.press("Control+End")
    page.keyboard.insert_text('\nextra = 7  #@param {type:"number"}')
    expect(field(page, "extra").locator("input")).to_have_value("7")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]["source"]
    assert "color = 'blue'" in saved and "extra = 7" in saved


def test_run_auto_and_hide_code(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    source = (
        '#@title Auto {run: "auto", form-width: "30%"}\n'
        'n = 2  #@param {type:"integer"}\nprint(n * 10)'
    )
    nb_id = create_notebook(page, "auto.ipynb", [code_cell(source)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    outputs = page.get_by_test_id("outputs").first
    form_width = page.get_by_test_id("cell-form").evaluate("e => getComputedStyle(e).flexBasis")
    assert form_width == "30%"

    # Before a run by hand, changing a field does not run the cell.
    field(page, "n").locator("input").fill("3")
    field(page, "n").locator("input").press("Enter")
    expect(page.get_by_test_id("execution-count").first).to_have_text("[ ]")

    page.get_by_role("button", name="Run cell").first.click()
    expect(outputs).to_have_text("30", timeout=60_000)
    field(page, "n").locator("input").fill("5")
    field(page, "n").locator("input").press("Enter")
    expect(outputs).to_have_text("50", timeout=30_000)

    # Hide the code: the editor goes, the form stays, and Colab's metadata is saved.
    editor = page.get_by_test_id("cell").first.locator(".cm-editor")
    page.get_by_test_id("toggle-code").click()
    expect(editor).to_be_hidden()
    expect(page.get_by_test_id("cell-form")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    cell = fetch_notebook(page, nb_id)["content"]["cells"][0]
    assert cell["metadata"]["cellView"] == "form"
    page.reload()
    expect(page.get_by_test_id("cell").first.locator(".cm-editor")).to_be_hidden()
    page.get_by_test_id("cell-form").locator(".form-title").dblclick()
    expect(page.get_by_test_id("cell").first.locator(".cm-editor")).to_be_visible()


def test_markdown_math_and_display_mode(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    source = "\n".join(
        [
            '#@title Docs {display-mode: "form"}',
            "#@markdown **Bold** words, <i>html</i> and $x^2 + y_1$",
            "#@markdown ---",
            '#@markdown <img src=x onerror="window.pwned = 1">',
            'x = 1  #@param {type:"integer"}',
        ]
    )
    nb_id = create_notebook(page, "docs.ipynb", [code_cell(source)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    form = page.get_by_test_id("cell-form")
    expect(form.locator("strong")).to_have_text("Bold")
    expect(form.locator("i")).to_have_text("html")
    expect(form.locator(".katex").first).to_be_visible()
    expect(form.locator("hr")).to_have_count(1)
    expect(page.get_by_test_id("cell").first.locator(".cm-editor")).to_be_hidden()
    assert page.evaluate("window.pwned") is None
    assert form.locator("img").get_attribute("onerror") is None
