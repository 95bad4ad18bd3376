"""Steps shared by the Colab browser tests: open a notebook of given cells, run cells."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in, store_notebook

RUN_TIMEOUT = 90_000  # the first run attaches a runtime
FINISHED = re.compile(r"^\[\d+\]$")


def open_notebook(page: Page, served: Served, name: str, sources: list[str]) -> str:
    """Log in, create a notebook with these code cells and open it; returns its id."""
    log_in(page, served)
    return open_cells(page, served, name, [code_cell(s) for s in sources])


def open_cells(page: Page, served: Served, name: str, cells: list[dict[str, Any]]) -> str:
    nb_id = create_notebook(page, name, cells)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def outputs(page: Page, index: int) -> Locator:
    return cell(page, index).get_by_test_id("outputs")


def run(page: Page, index: int) -> None:
    """Click the cell's run button."""
    cell(page, index).get_by_role("button", name="Run cell").click()


def run_and_wait(page: Page, index: int, timeout: float = RUN_TIMEOUT) -> None:
    """Run a cell and wait until it has finished (its count is a number again)."""
    run(page, index)
    count = cell(page, index).get_by_test_id("execution-count")
    expect(count).to_have_text(FINISHED, timeout=timeout)


def create_from_file(page: Page, name: str, content: dict[str, Any]) -> str:
    """Store a whole .ipynb (metadata and outputs as saved elsewhere) as a new notebook."""
    return store_notebook(page, name, content)
