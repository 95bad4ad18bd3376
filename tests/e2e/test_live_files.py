"""files.download() and files.upload() in cells the service runs, with two tabs of the
notebook open: the browser side of each goes to the tab that ran the cell (its output
frame alone has kernel access), and both tabs show the run's printed outputs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Download, Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


DOWNLOAD = r"""
import hashlib, os
from google.colab import files
data = os.urandom(300 * 1024 + 7)
with open('made.bin', 'wb') as f:
    f.write(data)
print('sha', hashlib.sha256(data).hexdigest())
files.download('made.bin')
"""

UPLOAD = r"""
import hashlib
from google.colab import files
up = files.upload()
for name in up:
    print('got', name, hashlib.sha256(up[name]).hexdigest())
"""


def cell_of(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def test_transfers_go_to_the_tab_that_ran_the_cell(
    page: Page, context: BrowserContext, cloudbook_server: Served, tmp_path: Path
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "files.ipynb", [code_cell(DOWNLOAD), code_cell(UPLOAD)])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    runner = context.new_page()
    for p in (page, runner):
        p.goto(url)
        expect(p.get_by_test_id("save-state")).to_have_attribute("data-live", "connected")
    elsewhere: list[Download] = []
    page.on("download", lambda d: elsewhere.append(d))

    # The second tab runs the download: the file arrives there.
    with runner.expect_download(timeout=120_000) as info:
        cell_of(runner, 0).get_by_role("button", name="Run cell").click()
    saved = Path(info.value.path())
    assert info.value.suggested_filename == "made.bin"
    digest = hashlib.sha256(saved.read_bytes()).hexdigest()
    for p in (runner, page):  # both show what the run printed
        expect(cell_of(p, 0).get_by_test_id("outputs")).to_contain_text(f"sha {digest}")
    expect(cell_of(page, 0)).not_to_have_attribute("data-state", "running")
    assert elsewhere == []

    # The second tab runs the upload: its picker is the one that works.
    (tmp_path / "picked.txt").write_bytes(os.urandom(2048))
    cell_of(runner, 1).get_by_role("button", name="Run cell").click()
    picker = cell_of(runner, 1).frame_locator("iframe.output-frame").locator("input[type=file]")
    expect(picker).to_be_enabled(timeout=120_000)
    idle = cell_of(page, 1).frame_locator("iframe.output-frame").locator("input[type=file]")
    expect(idle).to_be_disabled()
    picker.set_input_files(tmp_path / "picked.txt")
    wanted = f"got picked.txt {hashlib.sha256((tmp_path / 'picked.txt').read_bytes()).hexdigest()}"
    for p in (runner, page):
        frame = cell_of(p, 1).frame_locator("iframe.output-frame")
        expect(frame.get_by_text(wanted)).to_be_visible(timeout=60_000)
    page.set_viewport_size({"width": 1280, "height": 1200})
    page.screenshot(path="/tmp/cloudbook-live-files.png", full_page=True)
