"""Prints from widget callbacks with live documents (the default), as on Colab: a Button's
on_click prints under the cell that shows the button, once, in every tab, and in the saved
notebook. The service's executor writes them (cloudbook/live/callbacks.py), so a callback
still running when the tab that clicked is closed loses nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_widgets import cell, frame

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-live-widget-callbacks.png"
SAY = """import ipywidgets as widgets
say = widgets.Button(description="Say")
say.on_click(lambda _: print("clicked"))
say"""
# The pause keeps the callback running while the test closes the tab that clicked.
SLOW = """import time
slow = widgets.Button(description="Slow")
def slow_clicked(_):
    print("working")
    time.sleep(3)
    print("done")
slow.on_click(slow_clicked)
slow"""


def open_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")


def streams(page: Page, index: int) -> list[str]:
    return frame(page, index).locator("pre.output-stream").all_inner_texts()


def saved_text(page: Page, nb_id: str, index: int) -> str:
    outputs = fetch_notebook(page, nb_id)["content"]["cells"][index]["outputs"]
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream")


def test_a_callbacks_print_shows_once_in_every_tab_and_is_saved(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "callbacks.ipynb", [code_cell(SAY), code_cell(SLOW)])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    first = context.new_page()
    open_live(first, url)
    open_live(page, url)
    for index in (0, 1):
        cell(first, index).get_by_role("button", name="Run cell").click()
        expect(cell(first, index).get_by_test_id("execution-count")).to_have_text(
            f"[{index + 1}]", timeout=60_000
        )

    say = frame(first, 0).get_by_role("button", name="Say")
    say.click()
    for tab in (first, page):
        expect(frame(tab, 0).locator("pre.output-stream")).to_have_text("clicked")
    say.click()
    for tab in (first, page):
        # One stream that grows, drawn once (the page that clicked does not add its own).
        expect(frame(tab, 0).locator("pre.output-stream")).to_have_text("clicked\nclicked")
        assert streams(tab, 0) == ["clicked\nclicked\n"]
    assert saved_text(page, nb_id, 0) == "clicked\nclicked\n"

    # The tab that clicked goes away while the callback runs: the rest still arrives.
    frame(first, 1).get_by_role("button", name="Slow").click()
    expect(frame(page, 1).locator("pre.output-stream")).to_have_text("working")
    first.close()
    expect(frame(page, 1).locator("pre.output-stream")).to_have_text(
        "working\ndone", timeout=30_000
    )

    page.reload()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    expect(frame(page, 0).locator("pre.output-stream")).to_have_text("clicked\nclicked")
    expect(frame(page, 1).locator("pre.output-stream")).to_have_text("working\ndone")
    assert saved_text(page, nb_id, 1) == "working\ndone\n"
    page.screenshot(path=SCREENSHOT, full_page=True)
