"""SIGTERM to `cloudbook serve` while the service runs a cell a page started: after the
restart (same data dir, same address) the reopened page shows every output line that
had arrived before the signal, the service's note that it stopped, and no running cell."""

from __future__ import annotations

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

    # The tab is closed first: a tab left open would reconnect with its old copy of the
    # document and merge it into the reloaded one (cells twice: docs/live.md, "Not yet").
    page.goto("about:blank")
    serve.start(same_port=True)
    page.goto(url, timeout=120_000)  # a cold service on a busy machine
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")
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
