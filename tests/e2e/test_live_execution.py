"""Cells run by the service with live documents on (docs/live-execution.md): a closed tab
loses nothing, and a question a run asks is answered from another tab of the same user
once the tab that ran it is gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-live-execution.png"
LOOP = "import time; [time.sleep(0.3) or print(i) for i in range(20)]"


@pytest.fixture
def serve_env() -> dict[str, str]:
    # A small cut, so a short print shows the marked cut and its link.
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_LIVE_STREAM_MAX_BYTES": "4096"}


def open_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")


def run(page: Page, index: int) -> None:
    page.get_by_test_id("cell").nth(index).get_by_role("button", name="Run cell").click()


def test_closing_the_tab_mid_run_and_reopening_shows_every_line(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "loop.ipynb", [code_cell(LOOP)])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    first = context.new_page()
    open_live(first, url)
    run(first, 0)
    outputs = first.get_by_test_id("cell").nth(0).get_by_test_id("outputs")
    expect(outputs).to_contain_text("3", timeout=120_000)
    first.close()
    open_live(page, url)
    cell = page.get_by_test_id("cell").nth(0)
    expect(cell.get_by_test_id("outputs")).to_contain_text("19", timeout=60_000)
    expect(cell).not_to_have_attribute("data-state", "running")
    lines = cell.get_by_test_id("outputs").locator("pre").first.inner_text().split("\n")
    assert [line for line in lines if line] == [str(i) for i in range(20)]
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]
    text = "".join(o["text"] for o in saved["outputs"] if o["output_type"] == "stream")
    assert text == "".join(f"{i}\n" for i in range(20))
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_questions_go_to_another_tab_once_the_running_tab_is_gone(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    cells = [
        code_cell("name = input('Your name: ')\nprint('hi', name)"),
        code_cell("from google.colab import output\nprint('js says', output.eval_js('1+1'))"),
    ]
    nb_id = create_notebook(page, "ask.ipynb", cells)
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    first = context.new_page()
    open_live(first, url)
    run(first, 0)
    run(first, 1)
    expect(first.get_by_test_id("cell").nth(0).get_by_test_id("stdin-input")).to_be_visible(
        timeout=120_000
    )
    first.close()
    open_live(page, url)
    box = page.get_by_test_id("cell").nth(0).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=30_000)
    box.fill("Ada")
    box.press("Enter")
    expect(page.get_by_test_id("cell").nth(0).get_by_test_id("outputs")).to_contain_text(
        "Your name: Ada\nhi Ada"
    )
    expect(page.get_by_test_id("cell").nth(1).get_by_test_id("outputs")).to_contain_text(
        "js says 2", timeout=60_000
    )
    page.screenshot(path="/tmp/cloudbook-live-questions.png", full_page=True)


def test_a_long_stream_is_cut_with_a_link_to_the_whole_output(
    page: Page, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(
        page, "big.ipynb", [code_cell("for i in range(2000):\n    print(f'row {i:05d}')")]
    )
    open_live(page, f"{cloudbook_server.base}/notebooks/{nb_id}")
    run(page, 0)
    link = page.get_by_test_id("cell").nth(0).get_by_test_id("full-output-link")
    expect(link).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("cell").nth(0)).to_contain_text("[output cut after 4 KiB")
    href = link.get_attribute("href")
    cell_id = fetch_notebook(page, nb_id)["content"]["cells"][0]["id"]
    assert href == f"/api/notebooks/{nb_id}/outputs/{cell_id}/stdout"
    full = page.request.get(cloudbook_server.base + href)
    assert full.ok
    assert full.text() == "".join(f"row {i:05d}\n" for i in range(2000))
    link.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cloudbook-live-cut.png")
