"""Text cells: markdown with tables, code, links and math, sanitized; double-click to edit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

TEXT = "\n".join(
    [
        "# Results",
        "",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "",
        "```python",
        "print('code')",
        "```",
        "",
        "Inline $e^{i\\pi} + 1 = 0$ and a [link](https://example.org).",
        "",
        "$$\\int_0^1 x^2 \\, dx$$",
        "",
        '<img src=x onerror="window.pwned = 1"> <script>window.pwned = 2</script>',
        "[bad](javascript:window.pwned=3)",
    ]
)


def markdown_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def test_markdown_renders_safely_and_edits(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "text.ipynb", [markdown_cell(TEXT)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    md = page.get_by_test_id("markdown").first
    expect(md.locator("h1")).to_have_text("Results")
    expect(md.locator("td")).to_have_text(["1", "2"])
    expect(md.locator("pre code")).to_contain_text("print('code')")
    expect(md.locator("a[href='https://example.org']")).to_have_text("link")
    expect(md.locator(".katex")).to_have_count(2)
    expect(md.locator(".katex-display")).to_have_count(1)
    assert page.evaluate("window.pwned") is None
    assert md.locator("script").count() == 0
    assert md.locator("img").get_attribute("onerror") is None
    assert "javascript:" not in (md.locator("a", has_text="bad").get_attribute("href") or "")
    md.locator("a", has_text="bad").click()
    assert page.evaluate("window.pwned") is None

    md.dblclick()
    editor = page.get_by_test_id("cell").first.locator(".cm-content")
    expect(editor).to_be_visible()
    editor.press("Control+End")
    page.keyboard.insert_text("\n\n**added**")
    page.keyboard.press("Shift+Enter")
    expect(md.locator("strong")).to_have_text("added")
    expect(page.get_by_test_id("cell").first.locator(".cm-editor")).to_be_hidden()

    page.get_by_test_id("add-text").click()
    page.keyboard.insert_text("## Second")
    page.keyboard.press("Shift+Enter")
    expect(page.get_by_test_id("markdown").nth(1).locator("h2")).to_have_text("Second")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    page.reload()
    expect(page.get_by_test_id("markdown").nth(1).locator("h2")).to_have_text("Second")
    page.screenshot(path="/tmp/cloudbook-markdown.png")
