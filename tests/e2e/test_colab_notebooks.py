"""Colab-style notebooks of tests/colab_notebooks in the browser: widgets and data_table
(browser only), and userdata with a secret from the Secrets panel.

A user opens the notebook, runs it, and works with what it shows: grid cells filled and
cleared, tabs switched by clicking, a table paged, sorted and filtered, access to a
secret granted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.e2e.colab_steps import cell, create_from_file, outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

NOTEBOOKS = Path(__file__).parents[1] / "colab_notebooks"


def open_colab_notebook(page: Page, served: Served, name: str) -> None:
    log_in(page, served)
    content = json.loads((NOTEBOOKS / name).read_text())
    nb_id = create_from_file(page, name, content)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(content["cells"]))


def frame(page: Page, index: int) -> FrameLocator:
    return cell(page, index).frame_locator("iframe.output-frame")


def test_widgets_notebook(page: Page, cloudbook_server: Served) -> None:
    open_colab_notebook(page, cloudbook_server, "widgets.ipynb")

    # Grid: `for row, col in grid` prints into each cell in turn
    run_and_wait(page, 1)
    grid = frame(page, 1).locator("table.cloudbook-grid")
    expect(grid.locator("td")).to_have_count(4)
    expect(grid.locator("tr").nth(0).locator("td")).to_have_text(["cell 0,0\n", "cell 0,1\n"])
    expect(grid.locator("tr").nth(1).locator("td")).to_have_text(["cell 1,0\n", "cell 1,1\n"])

    # output_to + clear_cell: a cleared cell is empty, a cell cleared while written keeps
    # only what came after the clear
    run_and_wait(page, 2)
    cells = frame(page, 2).locator("table.cloudbook-grid td")
    expect(cells).to_have_text(["", "second\n", "final text\n"])

    # create_grid: headers and a rendered value per cell
    run_and_wait(page, 3)
    table = frame(page, 3).locator("table.cloudbook-grid tr")
    expect(table).to_have_count(3)
    expect(table.nth(0).locator("th")).to_have_text(["", "wind\n", "rain\n"])
    expect(table.nth(1).locator("th, td")).to_have_text(["north\n", "north wind\n", "north rain\n"])
    expect(table.nth(2).locator("td")).to_have_text(["south wind\n", "south rain\n"])

    # a grid inside a tab; clear_tab while writing; a removed widget takes its content along
    run_and_wait(page, 4)
    nested = frame(page, 4).locator(".cloudbook-tabbar").first
    expect(nested.locator(".pages > div").nth(1)).to_have_text("final notes\n")
    nested.get_by_role("tab", name="chart").click()
    expect(nested.locator("table.cloudbook-grid td")).to_have_text(["", "nested cell\n"])
    expect(frame(page, 4).locator(".cloudbook-tabbar")).to_have_count(1)
    expect(frame(page, 4).locator("body")).not_to_contain_text("removed with its widget")
    expect(frame(page, 4).locator("body")).to_contain_text("done")

    # TabBar: the last tab written with select=True is shown; clicking switches
    run_and_wait(page, 5)
    bar = frame(page, 5).locator(".cloudbook-tabbar")
    pages = bar.locator(".pages > div")
    expect(bar.get_by_role("tab")).to_have_text(["red", "green", "blue"])
    expect(pages.nth(1)).to_be_visible()
    expect(pages.nth(1)).to_have_text("Grass is green\n")
    expect(pages.nth(0)).to_be_hidden()
    expect(pages.nth(2)).to_be_hidden()
    bar.get_by_role("tab", name="red").click()
    expect(pages.nth(0)).to_be_visible()
    expect(pages.nth(0)).to_have_text("Roses are red\n")
    expect(pages.nth(1)).to_be_hidden()
    bar.get_by_role("tab", name="blue").click()
    expect(pages.nth(2)).to_have_text("The sky is blue\n")
    expect(pages.nth(2)).to_be_visible()
    expect(pages.nth(0)).to_be_hidden()
    page.screenshot(path="/tmp/cloudbook-widgets.png", full_page=True)

    # saved outputs replay the same way when the notebook is opened again
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    page.reload()
    expect(frame(page, 2).locator("table.cloudbook-grid td")).to_have_text(
        ["", "second\n", "final text\n"]
    )
    pages = frame(page, 5).locator(".cloudbook-tabbar .pages > div")
    expect(pages.nth(1)).to_have_text("Grass is green\n")
    expect(pages.nth(1)).to_be_visible()
    frame(page, 5).get_by_role("tab", name="red").click()
    expect(pages.nth(0)).to_be_visible()


def test_data_table_notebook(page: Page, cloudbook_server: Served) -> None:
    open_colab_notebook(page, cloudbook_server, "data_table.ipynb")
    run_and_wait(page, 1)
    root = frame(page, 1).locator(".cloudbook-data-table-root")
    rows = root.locator("tbody tr")
    info = root.locator(".pager .info")

    # paging: 10 of 30 rows per page
    expect(rows).to_have_count(10)
    expect(info).to_have_text("1-10 of 30 - page 1 of 3")
    expect(rows.first).to_have_text("apple-000")
    root.get_by_role("button", name="Next page").click()
    expect(info).to_have_text("11-20 of 30 - page 2 of 3")
    expect(rows.first).to_have_text("elderberry-1010")

    # sorting by clicking a header: price ascending, then descending
    price = root.get_by_role("columnheader", name="price")
    price.click()
    expect(price).to_have_attribute("aria-sort", "ascending")
    expect(info).to_have_text("1-10 of 30 - page 1 of 3")
    expect(rows.first.locator("td").nth(1)).to_have_text("0")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("1")
    price.click()
    expect(price).to_have_attribute("aria-sort", "descending")
    expect(rows.first.locator("td").nth(1)).to_have_text("29")

    # filtering: only matching rows, counted
    root.get_by_role("searchbox", name="Filter").fill("cherry")
    expect(rows).to_have_count(5)
    expect(info).to_have_text("1-5 of 5 (filtered from 30) - page 1 of 1")
    for text in rows.all_inner_texts():
        assert text.startswith("cherry-")
    page.screenshot(path="/tmp/cloudbook-data-table.png", full_page=True)

    # rows per page
    root.get_by_role("searchbox", name="Filter").fill("")
    root.get_by_role("combobox", name="Rows per page").select_option("25")
    expect(rows).to_have_count(25)
    expect(info).to_have_text("1-25 of 30 - page 1 of 2")

    # with the formatter on, a DataFrame as a cell's value is the same interactive table
    run_and_wait(page, 2)
    formatted = frame(page, 2).locator(".cloudbook-data-table-root tbody tr")
    expect(formatted).to_have_count(3)
    expect(formatted.first).to_have_text("0apple-000")

    # the saved table works the same when the notebook is opened again (no kernel needed)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    page.reload()
    root = frame(page, 1).locator(".cloudbook-data-table-root")
    expect(root.locator("tbody tr")).to_have_count(10)
    root.get_by_role("searchbox", name="Filter").fill("fig")
    expect(root.locator(".pager .info")).to_have_text("1-5 of 5 (filtered from 30) - page 1 of 1")


def test_userdata_notebook_in_the_browser(page: Page, cloudbook_server: Served) -> None:
    open_colab_notebook(page, cloudbook_server, "userdata.ipynb")
    # the user adds the key in the Secrets panel, as the notebook's text tells them to
    page.get_by_test_id("sidebar-secrets").click()
    page.get_by_test_id("secret-add").click()
    page.get_by_test_id("secret-new-name").fill("API_KEY")
    page.get_by_test_id("secret-new-value").fill("sk-browser-0123456789")
    page.get_by_test_id("secret-save").click()
    expect(page.locator('[data-testid="secret-row"][data-name="API_KEY"]')).to_be_visible()

    cell(page, 1).get_by_role("button", name="Run cell").click()
    prompt = page.get_by_test_id("secret-prompt")
    expect(prompt).to_contain_text("Grant access to API_KEY?", timeout=90_000)
    page.get_by_test_id("secret-grant").click()
    expect(outputs(page, 1)).to_have_text(
        "Loaded a key of 21 characters starting with sk-\n", timeout=60_000
    )
    run_and_wait(page, 2)
    expect(outputs(page, 2)).to_have_text("Not found: Secret NOT_THERE does not exist.\n")
    expect(page.locator("body")).not_to_contain_text("sk-browser-0123456789")
