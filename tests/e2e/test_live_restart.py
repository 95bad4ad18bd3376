"""SIGTERM to `cloudbook serve` while the service runs a cell a page started: after the
restart (same data dir, same address) the page, left open, shows every output line that
had arrived before the signal, the service's note that it stopped, and no running cell.
A tab left open across a restart takes the service's new load of the document (each cell
once, not merged with its old copy) and keeps what was typed while the service was away."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.live.api import LOOP
from tests.live.test_service_restart import Serve, _cli

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-live-restart.png"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path / "data", tmp_path / "serve.log")
    yield server
    server.terminate()


def shown_lines(page: Page) -> list[str]:
    pre = page.get_by_test_id("cell").nth(0).get_by_test_id("outputs").locator("pre").first
    return [line for line in pre.inner_text().split("\n") if line]


def test_sigterm_mid_run_then_restart_shows_every_output_that_arrived(
    page: Page, serve: Serve
) -> None:
    _cli(serve.data, "user", "add", "alice", "--password-stdin", stdin="alice-password\n")
    serve.start()
    served = Served(base=serve.base, data_dir=serve.data, user="alice", password="alice-password")
    log_in(page, served)
    nb_id = create_notebook(page, "restart.ipynb", [code_cell(LOOP)])
    url = f"{serve.base}/notebooks/{nb_id}"
    page.goto(url)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")
    page.get_by_test_id("cell").nth(0).get_by_role("button", name="Run cell").click()
    outputs = page.get_by_test_id("cell").nth(0).get_by_test_id("outputs")
    expect(outputs).to_contain_text("3", timeout=120_000)

    serve.terminate()  # SIGTERM, and wait for the process to end
    # What the page had received by the signal (nothing more can come now).
    expect(page.get_by_test_id("save-state")).not_to_have_attribute("data-live", "connected")
    before = shown_lines(page)
    assert before[:4] == ["0", "1", "2", "3"]

    # The tab stays open: it reconnects by itself, is refused its copy of the old load of
    # the document (merged, every cell would show twice) and syncs afresh.
    serve.start(same_port=True)
    expect(page.get_by_role("alert")).to_contain_text(
        "The service reloaded this notebook", timeout=120_000
    )
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    expect(page.get_by_test_id("cell")).to_have_count(1)
    cell = page.get_by_test_id("cell").nth(0)
    expect(cell).to_contain_text("The service stopped while this cell ran")
    expect(cell).not_to_have_attribute("data-state", "running")
    after = shown_lines(page)
    # Every line the page showed before the signal, in order, and nothing invented.
    assert after[: len(before)] == before
    assert after == [str(i) for i in range(len(after))]
    assert len(after) < 20
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]
    text = "".join(o["text"] for o in saved["outputs"] if o["output_type"] == "stream")
    assert text.splitlines() == after
    assert saved["outputs"][-1]["ename"] == "ServiceStopped"
    page.screenshot(path=SCREENSHOT, full_page=True)
    # A page opened now shows the same.
    page.goto(url)
    expect(page.get_by_test_id("cell")).to_have_count(1)
    expect(page.get_by_test_id("cell").nth(0)).to_contain_text("The service stopped while")


def source_of(page: Page, index: int) -> str:
    return page.get_by_test_id("cell").nth(index).locator(".cm-content").inner_text()


def test_a_tab_left_open_across_a_restart_shows_each_cell_once_and_keeps_its_edits(
    page: Page, serve: Serve
) -> None:
    _cli(serve.data, "user", "add", "alice", "--password-stdin", stdin="alice-password\n")
    serve.start()
    served = Served(base=serve.base, data_dir=serve.data, user="alice", password="alice-password")
    log_in(page, served)
    nb_id = create_notebook(page, "stays.ipynb", [code_cell("a = 1"), code_cell("b = 2")])
    page.goto(f"{serve.base}/notebooks/{nb_id}")
    label = page.get_by_test_id("save-state")
    expect(label).to_have_attribute("data-synced", "true")
    cells = page.get_by_test_id("cell")
    cells.nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("  # before")
    # The service has it (it saves at shutdown what its document holds).
    expect(label).to_have_attribute("data-saved-revision", re.compile(r"\d"), timeout=30_000)

    serve.terminate()
    expect(label).not_to_have_attribute("data-live", "connected")
    # Typed while the service is away: only in this page.
    cells.nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("  # while away")

    serve.start(same_port=True)
    expect(page.get_by_role("alert")).to_contain_text(
        "with what you typed while it was away", timeout=120_000
    )
    expect(label).to_have_attribute("data-live", "connected")
    expect(label).to_have_text("Saved")
    expect(cells).to_have_count(2)
    assert [source_of(page, 0), source_of(page, 1)] == ["a = 1  # before", "b = 2  # while away"]

    # Editing goes on, into the service's document.
    cells.nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("  # after")
    expect(cells.nth(0)).to_contain_text("a = 1  # before  # after")
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["a = 1  # before  # after", "b = 2  # while away"]
    # Another page sees it all once.
    other = page.context.new_page()
    other.goto(f"{serve.base}/notebooks/{nb_id}")
    expect(other.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    expect(other.get_by_test_id("cell")).to_have_count(2)
    expect(other.get_by_test_id("cell").nth(0)).to_contain_text("a = 1  # before  # after")
    other.close()
