"""google.colab.syntax.sql/html/...: the string passed to them is highlighted in that language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SOURCE = (
    "from google.colab import syntax\n"
    'q = syntax.sql("SELECT a FROM t WHERE b = 1")\n'
    's = "SELECT plain"'
)

# Colour of each piece of text on a line: [text, colour] for every span's own text.
COLOURS = """(line) => [...line.querySelectorAll('span')]
  .filter((s) => s.children.length === 0)
  .map((s) => [s.textContent, getComputedStyle(s).color])"""


def test_sql_string_is_highlighted(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "syntax.ipynb", [code_cell("")])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    content = page.get_by_test_id("cell").first.locator(".cm-content")
    content.click()
    page.keyboard.insert_text(SOURCE)
    assert cell_code(page, 0) == SOURCE

    lines = content.locator(".cm-line")
    expect(lines.nth(1)).to_have_text('q = syntax.sql("SELECT a FROM t WHERE b = 1")')
    embedded = dict(lines.nth(1).evaluate(COLOURS))
    plain = dict(lines.nth(2).evaluate(COLOURS))
    string_colour = plain['"SELECT plain"']
    # The quotes keep Python's string colour; SELECT inside gets SQL's keyword colour.
    assert embedded['"'] == string_colour
    assert embedded["SELECT"] != string_colour
    assert embedded["WHERE"] == embedded["SELECT"]
    page.screenshot(path="/tmp/cloudbook-syntax.png")
