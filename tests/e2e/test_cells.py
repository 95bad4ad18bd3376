"""Moving and deleting cells, as a user does from the cell toolbar; the order is saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


def sources(page: Page) -> list[str]:
    return [
        "\n".join(cell.locator(".cm-line").all_inner_texts())
        for cell in page.get_by_test_id("cell").all()
    ]


def test_move_and_delete_cells(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [code_cell("a = 1"), code_cell("b = 2"), code_cell("c = 3")]
    nb_id = create_notebook(page, "cells.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(3)

    third = page.get_by_test_id("cell").nth(2)
    third.hover()
    third.get_by_role("button", name="Move cell up").click()
    assert sources(page) == ["a = 1", "c = 3", "b = 2"]
    first = page.get_by_test_id("cell").first
    first.hover()
    first.get_by_role("button", name="Move cell up").click()  # already first: nothing moves
    page.screenshot(path="/tmp/cloudbook-cells.png")
    first.get_by_role("button", name="Move cell down").click()
    assert sources(page) == ["c = 3", "a = 1", "b = 2"]
    page.get_by_test_id("cell").nth(1).hover()
    page.get_by_test_id("cell").nth(1).get_by_role("button", name="Delete cell").click()
    assert sources(page) == ["c = 3", "b = 2"]

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["c = 3", "b = 2"]
    page.reload()
    expect(page.get_by_test_id("cell")).to_have_count(2)
    assert sources(page) == ["c = 3", "b = 2"]
