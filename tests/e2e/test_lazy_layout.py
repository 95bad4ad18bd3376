"""Cells drawn at open skip layout while off screen (`.lazy-layout`, content-visibility):
the bar above such a cell is still drawn and works, and a touched cell leaves that state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

CELLS = 40
LAZY = re.compile(r"\blazy-layout\b")


def test_the_bar_above_an_untouched_off_screen_cell_inserts_a_cell(
    page: Page, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "lazy.ipynb", [code_cell(f"x{i} = {i}") for i in range(CELLS)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(CELLS)
    target = cells.nth(30)
    expect(target).to_have_class(LAZY)
    expect(cells.nth(0)).not_to_have_class(LAZY)  # the current cell

    # Scrolled to without the pointer: still untouched, and the bar above it (drawn in
    # the clip margin) takes the pointer and inserts a cell there.
    target.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    expect(target).to_have_class(LAZY)
    between = target.get_by_test_id("insert-code-here")
    between.hover()
    expect(target).not_to_have_class(LAZY)
    between.click()
    expect(cells).to_have_count(CELLS + 1)
    page.keyboard.insert_text("between = 1")
    expect(cells.nth(30).locator(".cm-content")).to_have_text("between = 1")
    expect(cells.nth(31).locator(".cm-content")).to_have_text("x30 = 30")
    page.screenshot(path="/tmp/cloudbook-lazy-layout.png")
