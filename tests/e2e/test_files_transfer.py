"""files.download and files.upload through the output frame, bytes compared end to end."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

DOWNLOAD = r"""
import hashlib, os
from google.colab import files
data = os.urandom(5 * 1024 * 1024 + 12345)
with open('big.bin', 'wb') as f:
    f.write(data)
print('sha', hashlib.sha256(data).hexdigest())
files.download('big.bin')
"""

UPLOAD = r"""
import hashlib
from google.colab import files
with open('a.txt', 'w') as f:
    f.write('already here')
up = files.upload()
for name, path in up.paths.items():
    print('got', name, path, hashlib.sha256(up[name]).hexdigest())
"""

CANCELLED = r"""
from google.colab import files
up = files.upload()
print('files', len(up))
"""

LEFT_OVER = r"""
import glob, os
print('left', sorted(glob.glob('/content/.cloudbook-upload-*')), os.path.exists('huge.bin'))
"""


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_saves_the_file_the_kernel_wrote(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "dl.ipynb", [code_cell(DOWNLOAD)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    with page.expect_download(timeout=90_000) as info:
        page.get_by_test_id("run-all").click()
    download = info.value
    assert download.suggested_filename == "big.bin"
    saved = Path(download.path())
    assert saved.stat().st_size == 5 * 1024 * 1024 + 12345
    printed = cell(page, 0).get_by_test_id("outputs").locator(".stream-stdout").inner_text()
    assert printed.strip() == f"sha {sha(saved)}"


def test_upload_saves_the_picked_files_and_cancel_leaves_nothing(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"uploaded text\n")
    (tmp_path / "b.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    (tmp_path / "huge.bin").write_bytes(os.urandom(64 * 1024 * 1024))
    log_in(page, cloudbook_server)
    cells = [code_cell(UPLOAD), code_cell(CANCELLED), code_cell(LEFT_OVER)]
    nb_id = create_notebook(page, "up.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")

    cell(page, 0).locator("button.run").click()
    picker = cell(page, 0).frame_locator("iframe.output-frame").locator("input[type=file]")
    expect(picker).to_be_enabled(timeout=60_000)
    picker.set_input_files([tmp_path / "a.txt", tmp_path / "b.bin"])
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    # a.txt was taken in /content: the upload is saved as "a (1).txt".
    expect(inner.get_by_text(f"got a.txt a (1).txt {sha(tmp_path / 'a.txt')}")).to_be_visible(
        timeout=60_000
    )
    expect(inner.get_by_text(f"got b.bin b.bin {sha(tmp_path / 'b.bin')}")).to_be_visible()

    cell(page, 1).locator("button.run").click()
    inner = cell(page, 1).frame_locator("iframe.output-frame")
    picker = inner.locator("input[type=file]")
    expect(picker).to_be_enabled(timeout=60_000)
    picker.set_input_files(tmp_path / "huge.bin")
    expect(inner.get_by_text("% done")).to_be_visible(timeout=30_000)
    inner.get_by_role("button", name="Cancel upload").click()
    expect(inner.get_by_text("files 0")).to_be_visible(timeout=60_000)
    expect(inner.get_by_text("Upload cancelled; nothing was saved.")).to_be_visible()

    cell(page, 2).locator("button.run").click()
    expect(cell(page, 2).get_by_test_id("outputs")).to_have_text("left [] False", timeout=60_000)
    page.set_viewport_size({"width": 1280, "height": 1400})  # frames off screen paint blank
    page.screenshot(path="/tmp/cloudbook-upload.png")
