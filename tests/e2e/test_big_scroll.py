"""A 500-cell notebook opens with off-screen cells not laid out yet (lazy-cells.ts): what
a user does to get somewhere still lands there while those cells settle."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bench.notebooks import LAST_MARKER, big_notebook
from tests.e2e.conftest import Served
from tests.e2e.helpers import log_in, store_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def open_big(page: Page, served: Served) -> None:
    log_in(page, served)
    nb_id = store_notebook(page, "big.ipynb", big_notebook(500))
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(500)


def test_scrolling_to_the_end_shows_the_last_output(page: Page, cloudbook_server: Served) -> None:
    open_big(page, cloudbook_server)
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    out = page.get_by_test_id("cell").nth(499).get_by_test_id("outputs")
    expect(out).to_contain_text(LAST_MARKER)
    expect(out.get_by_text(LAST_MARKER)).to_be_in_viewport()


def test_find_jumps_to_a_cell_far_down(page: Page, cloudbook_server: Served) -> None:
    open_big(page, cloudbook_server)
    page.get_by_test_id("cell").nth(0).locator(".editor").click()
    page.keyboard.press("Control+f")
    page.get_by_test_id("find-input").fill("# cell 300")
    page.keyboard.press("Enter")
    match = page.get_by_test_id("cell").nth(300).locator(".cm-find-current")
    expect(match).to_have_text("# cell 300")
    expect(match).to_be_in_viewport()
