"""Running as in Colab: run cell / and next / and insert, run all / before / after /
selected, interrupt, restart, restart and run all; counts, queued/running state, and the
elapsed time with its "completed at" tooltip, which survives a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def counts(page: Page) -> list[str]:
    return page.get_by_test_id("execution-count").all_inner_texts()


def edit(page: Page, index: int) -> None:
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()


def test_run_variants_counts_and_timings(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells_json = [code_cell("x = 10"), code_cell("x += 1"), code_cell("print(x)")]
    nb_id = create_notebook(page, "runs.ipynb", cells_json)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(3)
    out = cells.nth(2).get_by_test_id("outputs")

    edit(page, 0)
    page.keyboard.press("Control+F9")  # run all
    expect(out).to_have_text("11", timeout=90_000)
    assert counts(page) == ["[1]", "[2]", "[3]"]
    info = cells.nth(2).get_by_test_id("exec-info")
    expect(info).to_be_visible()
    expect(info).to_have_text(re.compile(r"^\d+s$"))
    expect(info).to_have_attribute("title", re.compile(r"completed at \d\d:\d\d:\d\d"))
    expect(info).to_have_attribute("title", re.compile("executed by alice"))
    cells.nth(2).locator(".run").hover()
    page.screenshot(path="/tmp/cloudbook-runs.png")

    edit(page, 2)
    page.keyboard.press("Control+F8")  # run before: cells 0 and 1
    expect(cells.nth(1).get_by_test_id("execution-count")).to_have_text("[5]", timeout=30_000)
    assert counts(page) == ["[4]", "[5]", "[3]"]

    edit(page, 1)
    page.keyboard.press("Control+F10")  # run after: cells 1 and 2
    expect(out).to_have_text("12", timeout=30_000)
    assert counts(page) == ["[4]", "[6]", "[7]"]

    edit(page, 2)
    page.keyboard.press("Control+Enter")  # run the cell, stay
    expect(out).to_have_text("12")
    expect(cells.nth(2).get_by_test_id("execution-count")).to_have_text("[8]", timeout=30_000)
    expect(cells.nth(2).locator(".cm-content")).to_be_focused()

    page.keyboard.press("Alt+Enter")  # run and insert a cell below
    expect(cells).to_have_count(4)
    expect(cells.nth(3).locator(".cm-content")).to_be_focused()
    expect(cells.nth(2).get_by_test_id("execution-count")).to_have_text("[9]", timeout=30_000)
    page.keyboard.insert_text("y = x * 2")
    page.keyboard.press("Shift+Enter")  # run and go on: a new cell after the last one
    expect(cells).to_have_count(5)
    expect(cells.nth(3).get_by_test_id("execution-count")).to_have_text("[10]", timeout=30_000)

    # Run selected: two cells picked with Shift+click.
    edit(page, 0)
    page.keyboard.press("Escape")
    cells.nth(1).get_by_test_id("execution-count").click(modifiers=["Shift"])
    page.keyboard.press("Control+Shift+Enter")
    expect(cells.nth(1).get_by_test_id("execution-count")).to_have_text("[12]", timeout=30_000)
    assert counts(page)[:4] == ["[11]", "[12]", "[9]", "[10]"]

    # The run record is stored as Colab stores it, and shown again after a reload.
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    record = saved[2]["metadata"]["executionInfo"]
    assert record["status"] == "ok"
    assert set(record) >= {"elapsed", "timestamp", "user_tz", "user", "status"}
    assert record["user"]["displayName"] == "alice"
    page.reload()
    expect(cells).to_have_count(5)
    expect(cells.nth(2).get_by_test_id("exec-info")).to_have_text(re.compile(r"^\d+s$"))
    expect(cells.nth(2).get_by_test_id("exec-info")).to_have_attribute(
        "title", re.compile("completed at")
    )

    # Clear all outputs (palette): outputs, counts and run records go.
    page.keyboard.press("Control+Shift+P")
    page.get_by_test_id("palette-input").fill("clear all outputs")
    page.keyboard.press("Enter")
    expect(out).to_have_text("")
    assert counts(page) == ["[ ]"] * 5
    expect(page.get_by_test_id("exec-info").first).to_be_hidden()


def test_interrupt_restart_and_queue_state(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells_json = [
        code_cell("import time\nn = 1\nprint('sleeping', flush=True)\ntime.sleep(120)"),
        code_cell("print('after', n)"),
    ]
    nb_id = create_notebook(page, "stop.ipynb", cells_json)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(2)

    edit(page, 0)
    page.keyboard.press("Control+F9")
    expect(cells.nth(0)).to_have_attribute("data-state", "running", timeout=90_000)
    expect(cells.nth(1)).to_have_attribute("data-state", "queued")
    # Interrupt once the sleep has begun (a SIGINT before that is lost, as in Jupyter).
    expect(cells.nth(0).get_by_test_id("outputs")).to_have_text("sleeping", timeout=30_000)
    expect(cells.nth(1).get_by_test_id("execution-count")).to_have_text("[-]")
    page.keyboard.press("Control+m")
    page.keyboard.press("i")  # interrupt
    expect(cells.nth(0).get_by_test_id("outputs")).to_contain_text(
        "KeyboardInterrupt", timeout=30_000
    )
    # The failed cell cancels the queued one, as in Colab; its run record says so.
    expect(cells.nth(1)).to_have_attribute("data-state", "")
    expect(cells.nth(0).get_by_test_id("exec-info")).to_have_attribute("data-status", "error")

    edit(page, 1)
    page.keyboard.press("Control+Enter")
    expect(cells.nth(1).get_by_test_id("outputs")).to_have_text("after 1", timeout=30_000)

    # The run buttons: a queued cell's cancels its run, a running cell's interrupts it.
    page.get_by_test_id("run-all").click()
    expect(cells.nth(0).get_by_test_id("outputs")).to_have_text("sleeping", timeout=30_000)
    cells.nth(1).get_by_role("button", name="Cancel run").click()
    expect(cells.nth(1)).to_have_attribute("data-state", "")
    cells.nth(0).get_by_role("button", name="Interrupt execution").click()
    expect(cells.nth(0).get_by_test_id("outputs")).to_contain_text(
        "KeyboardInterrupt", timeout=30_000
    )
    expect(cells.nth(1).get_by_test_id("outputs")).to_have_text("after 1")  # not run again

    # Restart (Ctrl+M .): the kernel forgets n.
    page.keyboard.press("Control+m")
    page.keyboard.press(".")
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("kernel-state")).to_have_attribute(
        "data-state", "idle", timeout=60_000
    )
    edit(page, 1)
    page.keyboard.press("Control+Enter")
    expect(cells.nth(1).get_by_test_id("outputs")).to_contain_text("NameError", timeout=30_000)

    # Restart and run all, from the palette: the first cell sleeps again, then interrupt.
    page.keyboard.press("Control+Shift+P")
    page.get_by_test_id("palette-input").fill("restart and run")
    page.keyboard.press("Enter")
    page.get_by_test_id("confirm-ok").click()
    expect(cells.nth(0)).to_have_attribute("data-state", "running", timeout=60_000)
    expect(cells.nth(0).get_by_test_id("execution-count")).to_have_text("[*]")
    expect(cells.nth(0).get_by_test_id("outputs")).to_have_text("sleeping", timeout=30_000)
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Interrupt execution")).click()
    expect(cells.nth(0).get_by_test_id("outputs")).to_contain_text(
        "KeyboardInterrupt", timeout=30_000
    )
    expect(cells.nth(0).get_by_test_id("execution-count")).to_have_text("[1]")
