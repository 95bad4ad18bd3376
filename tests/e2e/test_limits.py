"""Runtime limits as a user meets them: the RAM crash message, capped runaway output."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.runtimes.test_limits import MECHANISM

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-limits-oom.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {
        "CLOUDBOOK_RUNTIME_MEMORY": "1G",
        "CLOUDBOOK_OUTPUT_CELL_MAX_BYTES": str(2 * 1024 * 1024),
    }


def open_notebook(page: Page, served: Served, cells: list[dict[str, object]]) -> str:
    log_in(page, served)
    nb_id = create_notebook(page, "limits.ipynb", cells)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


@pytest.mark.skipif(
    MECHANISM == "rlimit",
    reason="the service is not root or the host has no cgroup memory controller",
)
def test_out_of_memory_shows_colab_message_then_a_fresh_kernel(
    page: Page, cloudbook_server: Served
) -> None:
    open_notebook(
        page,
        cloudbook_server,
        [code_cell("x = b'x' * (2 * 1024**3)"), code_cell("1+1")],
    )
    cells = page.get_by_test_id("cell")
    cells.nth(0).get_by_role("button", name="Run cell").click()
    banner = page.get_by_role("alert")
    expect(banner).to_have_text(
        "Your session crashed after using all available RAM.", timeout=120_000
    )
    page.screenshot(path=SCREENSHOT)
    cells.nth(1).get_by_role("button", name="Run cell").click()
    expect(cells.nth(1).get_by_test_id("outputs")).to_have_text("2", timeout=120_000)


def test_runaway_print_is_capped_and_the_notebook_keeps_the_marker(
    page: Page, cloudbook_server: Served
) -> None:
    nb_id = open_notebook(
        page,
        cloudbook_server,
        [code_cell("for i in range(30):\n    print(str(i % 10) * 500_000)\nprint('done')")],
    )
    cell = page.get_by_test_id("cell").nth(0)
    cell.get_by_role("button", name="Run cell").click()
    outputs = cell.get_by_test_id("outputs")
    expect(outputs).to_contain_text("MB not shown", timeout=120_000)
    expect(outputs).to_contain_text("output truncated")
    deadline = time.monotonic() + 60
    saved = fetch_notebook(page, nb_id)["content"]["cells"][0]["outputs"]
    while "MB not shown" not in str(saved) and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # polling the server for the autosave
        saved = fetch_notebook(page, nb_id)["content"]["cells"][0]["outputs"]
    text = "".join(
        "".join(o["text"]) if isinstance(o.get("text"), list) else str(o.get("text", ""))
        for o in saved
    )
    assert "output truncated" in text and "MB not shown" in text
    assert len(text) < 2 * 1024 * 1024 + 4096  # 15 MB printed, the cell's cap kept
