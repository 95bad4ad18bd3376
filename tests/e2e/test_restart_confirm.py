"""Restart asks first, as Colab does: from the Runtime menu, the command palette, Ctrl+M .
and the toolbar. Cancel keeps every variable; OK restarts; Restart and run all too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

QUESTION = (
    "Are you sure you want to restart the runtime? "
    "Runtime state including all local variables will be lost."
)


def run(page: Page, index: int) -> Locator:
    cell = page.get_by_test_id("cell").nth(index)
    cell.get_by_role("button", name="Run cell").click()
    expect(cell).to_have_attribute("data-state", "", timeout=90_000)
    return cell.get_by_test_id("outputs")


def cancel_keeps_state(page: Page, ask: str) -> None:
    """Opens the question one way, answers Cancel (or Esc), and checks nothing changed."""
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text(QUESTION)
    if ask == "escape":
        page.keyboard.press("Escape")
    else:
        dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(run(page, 1)).to_have_text("x is 41")


def test_restart_asks_and_cancel_keeps_variables(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [code_cell("x = 41"), code_cell("print('x is', x)")]
    nb_id = create_notebook(page, "restart.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    run(page, 0)
    expect(run(page, 1)).to_have_text("x is 41")
    kernel = page.get_by_test_id("kernel-state")

    # Every way in asks the same question; Cancel (or Esc) changes nothing.
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Restart runtime")).first.click()
    cancel_keeps_state(page, "cancel")
    page.keyboard.press("Control+Shift+P")
    page.get_by_test_id("palette-input").fill("restart runtime")
    page.keyboard.press("Enter")
    cancel_keeps_state(page, "escape")
    page.get_by_test_id("cell").nth(1).click()
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("Control+m")
    page.keyboard.press(".")
    cancel_keeps_state(page, "cancel")
    page.get_by_test_id("restart").click()
    page.screenshot(path="/tmp/cloudbook-restart-confirm.png")
    cancel_keeps_state(page, "cancel")
    expect(page.get_by_test_id("cell").nth(1).get_by_test_id("execution-count")).to_have_text("[6]")

    # OK restarts: the variable is gone.
    page.keyboard.press("Control+m")
    page.keyboard.press(".")
    with page.expect_response(lambda r: r.url.endswith("/restart"), timeout=60_000) as done:
        page.get_by_test_id("confirm-ok").click()
    assert done.value.ok
    expect(kernel).to_have_attribute("data-state", "idle", timeout=60_000)
    expect(run(page, 1)).to_contain_text("NameError")

    # Restart and run all: asks, Cancel runs nothing; OK (Enter) restarts and runs all.
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Restart runtime and run all")).click()
    page.get_by_test_id("confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("cell").nth(1).get_by_test_id("outputs")).to_contain_text(
        "NameError"
    )
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Restart runtime and run all")).click()
    expect(page.get_by_test_id("confirm-ok")).to_be_focused()
    page.keyboard.press("Enter")
    second = page.get_by_test_id("cell").nth(1)
    expect(second.get_by_test_id("outputs")).to_have_text("x is 41", timeout=90_000)
    expect(second.get_by_test_id("execution-count")).to_have_text("[2]")
