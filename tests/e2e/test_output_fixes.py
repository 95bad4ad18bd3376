"""Outputs as a user sees them: markdown outputs (sanitised), the question and answer of
input() kept in the output, and display handles updated from another cell."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

MARKDOWN = (
    "from IPython.display import HTML, Markdown, display\n"
    "display(Markdown('# Report\\n\\n**bold** and $x^2 + y_1$ and [docs](https://example.com/d)'))"
)
HOSTILE = (
    'display(Markdown(\'<img src=x onerror="window.pwned = 1"> '
    "[click me](javascript:window.pwned=2) <script>window.pwned = 3</script>'))"
)
RAW_MARKDOWN = "display({'text/markdown': '*only* markdown', 'text/plain': 'plain'}, raw=True)"
# After an HTML output everything renders in the cell's sandboxed frame; the markdown
# there is the same sanitised HTML.
IN_FRAME = (
    "display(HTML('<b id=first>html first</b>'))\n"
    "display(Markdown('**framed** <img id=bad src=x onerror=\"document.title = 1\">'))"
)


def open_notebook(page: Page, served: Served, name: str, cells: list[dict[str, object]]) -> str:
    log_in(page, served)
    nb_id = create_notebook(page, name, cells)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


def run(page: Page, index: int) -> Locator:
    cell = page.get_by_test_id("cell").nth(index)
    cell.get_by_role("button", name="Run cell").click()
    expect(cell).to_have_attribute("data-state", "", timeout=90_000)
    return cell.get_by_test_id("outputs")


def test_markdown_outputs_render_sanitised(page: Page, cloudbook_server: Served) -> None:
    cells = [code_cell(s) for s in (MARKDOWN, HOSTILE, RAW_MARKDOWN, IN_FRAME)]
    open_notebook(page, cloudbook_server, "markdown.ipynb", cells)

    out = run(page, 0)
    md = out.get_by_test_id("output-markdown")
    expect(md.locator("h1")).to_have_text("Report")
    expect(md.locator("strong")).to_have_text("bold")
    expect(md.locator(".katex").first).to_be_visible()
    link = md.get_by_role("link", name="docs")
    expect(link).to_have_attribute("href", "https://example.com/d")
    expect(link).to_have_attribute("target", "_blank")  # never navigates the notebook away
    expect(out).not_to_contain_text("**bold**")

    out = run(page, 1)
    md = out.get_by_test_id("output-markdown")
    expect(md).to_contain_text("click me")
    expect(md.locator("img")).to_have_count(1)
    assert md.locator("img").get_attribute("onerror") is None
    assert md.locator("script").count() == 0
    clickable = md.get_by_text("click me")
    assert clickable.evaluate("e => e.closest('a')?.getAttribute('href') ?? null") is None
    clickable.click()
    page.get_by_test_id("cell").first.click()  # the page is still the notebook, and alive
    assert page.evaluate("window.pwned") is None

    out = run(page, 2)
    expect(out.get_by_test_id("output-markdown").locator("em")).to_have_text("only")
    expect(out).not_to_contain_text("plain")

    cell = page.get_by_test_id("cell").nth(3)
    cell.get_by_role("button", name="Run cell").click()
    inner = cell.frame_locator("iframe.output-frame")
    expect(inner.locator("#first")).to_have_text("html first", timeout=90_000)
    expect(inner.locator(".output-markdown strong")).to_have_text("framed")
    expect(inner.locator("#bad")).to_have_count(1)
    assert inner.locator("#bad").get_attribute("onerror") is None
    page.screenshot(path="/tmp/cloudbook-markdown-outputs.png", full_page=True)


def test_input_question_and_answer_stay(page: Page, cloudbook_server: Served) -> None:
    source = (
        "from getpass import getpass\n"
        "print('before')\n"
        "name = input('Name? ')\n"
        "secret = getpass('Password: ')\n"
        "print('hello', name, len(secret))"
    )
    nb_id = open_notebook(page, cloudbook_server, "ask.ipynb", [code_cell(source)])
    cell = page.get_by_test_id("cell").first
    cell.get_by_role("button", name="Run cell").click()
    box = cell.get_by_test_id("stdin-input")
    expect(cell.get_by_test_id("stdin-box")).to_contain_text("Name?", timeout=90_000)
    box.fill("Alice")
    box.press("Enter")
    expect(cell.get_by_test_id("stdin-box")).to_contain_text("Password:")
    box.fill("hunter2")
    box.press("Enter")
    outputs = cell.get_by_test_id("outputs")
    expect(outputs).to_have_text("before\nName? Alice\nPassword: \nhello Alice 7", timeout=30_000)
    expect(cell.get_by_test_id("stdin-box")).to_have_count(0)
    assert "hunter2" not in outputs.inner_text()
    page.screenshot(path="/tmp/cloudbook-input-echo.png")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]["outputs"]
    text = "".join("".join(o.get("text", "")) for o in saved if o["output_type"] == "stream")
    assert text == "before\nName? Alice\nPassword: \nhello Alice 7\n"
    page.reload()
    expect(page.get_by_test_id("outputs").first).to_contain_text("Name? Alice")


def test_display_updates_reach_every_cell(page: Page, cloudbook_server: Served) -> None:
    cells = [
        code_cell("h = display('first', display_id=True)\nprint('shown')"),
        code_cell("h.update('second')"),
        code_cell("from IPython.display import HTML\ng = display(HTML('<i>a</i>'), display_id=1)"),
        code_cell("g.update(HTML('<i id=upd>updated html</i>'))"),
    ]
    nb_id = open_notebook(page, cloudbook_server, "handles.ipynb", cells)
    first = run(page, 0)
    expect(first).to_have_text("'first'shown")
    second = run(page, 1)
    expect(first).to_have_text("'second'shown")
    expect(second).to_have_text("")

    run(page, 2)
    frame = page.get_by_test_id("cell").nth(2).frame_locator("iframe.output-frame")
    expect(frame.locator("i")).to_have_text("a")
    run(page, 3)
    expect(frame.locator("#upd")).to_have_text("updated html")
    page.screenshot(path="/tmp/cloudbook-display-updates.png")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert saved[0]["outputs"][0]["data"]["text/plain"] in ("'second'", ["'second'"])
    page.reload()
    expect(page.get_by_test_id("outputs").first).to_have_text("'second'shown")
    reloaded = page.get_by_test_id("cell").nth(2).frame_locator("iframe.output-frame")
    expect(reloaded.locator("#upd")).to_have_text("updated html")
