"""A notebook saved by Colab opens with its outputs shown as a user expects (no raw JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import cell, create_from_file, outputs
from tests.e2e.conftest import Served
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

FIXTURE = Path(__file__).parents[1] / "fixtures" / "colab_saved.ipynb"
SCREENSHOT = "/tmp/cloudbook-colab-saved.png"


def test_colab_saved_outputs_render(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_from_file(page, "colab_saved.ipynb", json.loads(FIXTURE.read_text()))
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(7)

    # a string result: its text, not Colab's {"type": "string"} hint
    expect(outputs(page, 1)).to_have_text("'/content'")

    # a DataFrame: pandas' HTML table; Colab's "convert" button stays hidden when viewing
    table = cell(page, 2).frame_locator("iframe").locator("table.dataframe")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").nth(1)).to_have_text("1Lima2")
    expect(cell(page, 2).frame_locator("iframe").locator("button.colab-df-convert")).to_be_hidden()

    # a DataFrame saved with only Colab's summary: name, shape and columns
    summary = cell(page, 3).get_by_test_id("colab-dataframe")
    expect(summary).to_contain_text("DataFrame df: 3 rows \u00d7 2 columns")
    expect(summary.locator("tr")).to_have_count(3)
    expect(summary.locator("tr").nth(1)).to_have_text("citystringOslo, Lima, Pune")

    # pip's "restart the runtime" warning
    expect(outputs(page, 4)).to_contain_text("Successfully installed pandas-2.2.2")
    expect(cell(page, 4).get_by_test_id("pip-warning")).to_have_text(
        "WARNING: The following packages were previously imported in this runtime: "
        "[pandas]. You must restart the runtime in order to use newly installed versions."
    )
    expect(outputs(page, 5)).to_have_text("line one\nline two\n")

    # Colab's interactive table: its script loads from Google's servers, so the saved
    # pandas table (its HTML sibling) shows instead, and the script text never does
    table = cell(page, 6).frame_locator("iframe").locator("table.dataframe")
    expect(table.locator("tbody tr")).to_have_text(["0Oslo1"])
    expect(outputs(page, 6)).not_to_contain_text("createDataTable")

    for i in range(1, 7):
        expect(outputs(page, i)).not_to_contain_text('"type"')
        expect(outputs(page, i)).not_to_contain_text("intrinsic")
    page.screenshot(path=SCREENSHOT, full_page=True)
