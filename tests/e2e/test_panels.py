"""Side panels and the runtime widget, as a user: table of contents, files of the
runtime, resources at the top right, revision history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def markdown_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def open_notebook(page: Page, served: Served, cells: list[dict[str, Any]], name: str) -> str:
    log_in(page, served)
    nb_id = create_notebook(page, name, cells)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


def test_table_of_contents_lists_headings_and_scrolls(page: Page, cloudbook_server: Served) -> None:
    filler = [code_cell("\n".join(f"x{i} = {i}" for i in range(30))) for _ in range(6)]
    cells = [
        markdown_cell("# Intro\n\nSome text.\n\n## Details *here*"),
        *filler[:3],
        markdown_cell("### Deep\n\n```\n# not a heading\n```"),
        code_cell("#@title Setup step\nimport os"),
        *filler[3:],
        markdown_cell("# Far away"),
    ]
    open_notebook(page, cloudbook_server, cells, "toc.ipynb")
    page.get_by_test_id("sidebar-toc").click()
    entries = page.get_by_test_id("toc-entry")
    expect(entries).to_have_text(["Intro", "Details here", "Deep", "Setup step", "Far away"])
    levels = page.get_by_test_id("toc").locator("li")
    assert [li.get_attribute("data-level") for li in levels.all()] == ["1", "2", "3", "4", "1"]
    expect(entries.nth(1).locator("em")).to_have_text("here")

    last = page.get_by_test_id("cell").last
    expect(last).not_to_be_in_viewport()
    entries.get_by_text("Far away").click()
    expect(last).to_be_in_viewport()
    expect(page.locator(".toc-entry.active")).to_have_text("Far away")
    page.screenshot(path="/tmp/cloudbook-toc.png")
    entries.get_by_text("Deep").click()
    expect(page.locator(".toc-entry.active")).to_have_text("Deep")
    entries.get_by_text("Intro").click()
    expect(page.get_by_test_id("cell").first).to_be_in_viewport()
    expect(page.locator(".toc-entry.active")).to_have_text("Intro")

    # Edits show up in the table of contents.
    page.get_by_test_id("markdown").first.dblclick()
    editor = page.get_by_test_id("cell").first.locator(".cm-content")
    editor.press("Control+End")
    page.keyboard.insert_text("\n\n## Added later")
    expect(entries).to_have_text(
        ["Intro", "Details here", "Added later", "Deep", "Setup step", "Far away"]
    )
    # Closing and reopening the panel by its icon.
    page.get_by_test_id("sidebar-toc").click()
    expect(page.get_by_test_id("sidebar-panel")).to_be_hidden()
    page.get_by_test_id("sidebar-toc").click()
    expect(entries).to_have_count(6)


def test_files_panel_and_resources(page: Page, cloudbook_server: Served, tmp_path: Any) -> None:
    cells = [
        code_cell("!ls /content"),
        code_cell("open('made.txt', 'w').write('by code')"),
        code_cell("from google.colab import files\nfiles.view('sample_data/mnist_test.csv')"),
    ]
    open_notebook(page, cloudbook_server, cells, "files.ipynb")
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_text("Connect")
    page.get_by_test_id("sidebar-files").click()
    panel = page.get_by_test_id("files-panel")
    expect(panel.get_by_test_id("files-message")).to_contain_text("Connect to a runtime")

    # The top-right "Connect" attaches a runtime; RAM and Disk bars appear with numbers.
    kernel.click()
    expect(kernel).to_have_attribute("data-state", "idle", timeout=60_000)
    resources = page.get_by_test_id("resources")
    expect(resources.get_by_test_id("resources-ram")).to_contain_text("RAM")
    expect(resources.get_by_test_id("resources-disk")).to_contain_text("Disk")
    expect(resources).to_have_attribute(
        "title", re.compile(r"RAM: [\d.]+ [KMGT]?B / [\d.]+ [KMGT]?B\nDisk: [\d.]+ [KMGT]?B / ")
    )

    entries = panel.get_by_test_id("file-entry")
    expect(entries.filter(has_text="sample_data")).to_have_count(1)
    expect(panel.get_by_test_id("files-path")).to_have_text("/content")

    panel.get_by_test_id("files-input").set_input_files(
        [
            {"name": "alpha.txt", "mimeType": "text/plain", "buffer": b"alpha bytes\n"},
            {"name": "beta.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"},
        ]
    )
    expect(entries.filter(has_text="alpha.txt")).to_have_count(1)
    expect(entries.filter(has_text="beta.csv")).to_have_count(1)
    page.screenshot(path="/tmp/cloudbook-files.png")

    # Files dropped on the panel are uploaded too.
    dropped = page.evaluate_handle(
        "() => { const dt = new DataTransfer();"
        " dt.items.add(new File(['dropped'], 'dropped.txt')); return dt; }"
    )
    panel.dispatch_event("dragover", {"dataTransfer": dropped})
    panel.dispatch_event("drop", {"dataTransfer": dropped})
    expect(entries.filter(has_text="dropped.txt")).to_have_count(1)

    # A file over one chunk (4 MiB) goes up in pieces, with its own progress bar.
    big = bytes(range(256)) * (9 * 4096)
    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
    panel.get_by_test_id("files-input").set_input_files(
        [{"name": "big.bin", "mimeType": "application/octet-stream", "buffer": big}]
    )
    upload = page.get_by_test_id("upload-row").filter(has_text="big.bin")
    expect(upload).to_have_attribute("data-state", "done", timeout=60_000)
    assert [u.rsplit("chunk=", 1)[-1] for u in puts if "big.bin" in u] == ["1", "2", "-1"]
    big_row = entries.filter(has_text="big.bin")
    expect(big_row).to_have_attribute("title", f"/content/big.bin ({len(big)} bytes)")
    big_row.hover()
    with page.expect_download() as download:
        big_row.get_by_test_id("file-download").click()
    assert download.value.path().read_bytes() == big

    page.get_by_test_id("cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    out = page.get_by_test_id("outputs").first
    expect(out).to_contain_text("alpha.txt", timeout=30_000)
    expect(out).to_contain_text("beta.csv")
    # A file written by code shows up once its cell has run, without a refresh.
    page.get_by_test_id("cell").nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(entries.filter(has_text="made.txt")).to_have_count(1, timeout=30_000)

    alpha = entries.filter(has_text="alpha.txt")
    alpha.hover()
    with page.expect_download() as download:
        alpha.get_by_test_id("file-download").click()
    assert download.value.suggested_filename == "alpha.txt"
    assert download.value.path().read_bytes() == b"alpha bytes\n"

    alpha.get_by_test_id("file-rename").click()
    field = panel.get_by_test_id("file-rename-input")
    field.fill("renamed.txt")
    field.press("Enter")
    expect(entries.filter(has_text="renamed.txt")).to_have_count(1)
    expect(entries.filter(has_text="alpha.txt")).to_have_count(0)

    beta = entries.filter(has_text="beta.csv")
    beta.hover()
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    beta.get_by_test_id("file-delete").click()
    expect(entries.filter(has_text="beta.csv")).to_have_count(0)
    assert "/content/beta.csv" in dialogs[0]

    panel.get_by_test_id("files-new-folder").click()
    field = panel.get_by_test_id("file-rename-input")
    field.fill("mydir")
    field.press("Enter")
    expect(entries.filter(has_text="mydir")).to_have_count(1)
    entries.filter(has_text="mydir").click()
    expect(panel.get_by_test_id("files-path")).to_have_text("/content/mydir")
    expect(panel).to_contain_text("This folder is empty.")
    panel.get_by_test_id("files-input").set_input_files(
        [{"name": "inner.bin", "mimeType": "application/octet-stream", "buffer": bytes(range(256))}]
    )
    expect(entries.filter(has_text="inner.bin")).to_have_count(1)
    panel.get_by_test_id("files-up").click()
    expect(panel.get_by_test_id("files-path")).to_have_text("/content")

    # google.colab.files.view(path) asks the page through this event.
    page.get_by_test_id("sidebar-toc").click()
    page.evaluate(
        "window.dispatchEvent(new CustomEvent('cloudbook:files-view',"
        " {detail: {path: '/content/sample_data/README.md'}}))"
    )
    expect(panel.get_by_test_id("files-path")).to_have_text("/content/sample_data")
    expect(panel.locator(".file-row.selected")).to_have_text("README.md")
    page.screenshot(path="/tmp/cloudbook-files-view.png")
    # ... which is what google.colab.files.view does from a cell's output.
    page.get_by_test_id("sidebar-toc").click()
    page.get_by_test_id("cell").nth(2).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(panel.locator(".file-row.selected")).to_have_text("mnist_test.csv", timeout=30_000)

    # The bars open the figures as text, and "Disconnect and delete runtime".
    resources.click()
    details = page.get_by_test_id("runtime-details")
    expect(details).to_contain_text(re.compile(r"System RAM\s*[\d.]+ [KMGT]?B / [\d.]+ [KMGT]?B"))
    expect(details).to_contain_text(re.compile(r"Disk\s*[\d.]+ [KMGT]?B / [\d.]+ [KMGT]?B"))
    page.screenshot(path="/tmp/cloudbook-resources.png")
    page.once("dialog", lambda d: d.accept())
    details.get_by_test_id("runtime-disconnect").click()
    expect(kernel).to_have_attribute("data-state", "disconnected", timeout=30_000)
    expect(kernel).to_have_text("Connect")
    expect(resources).to_be_hidden()
    expect(page.get_by_test_id("sidebar-files")).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_test_id("files-message")).to_contain_text("Connect to a runtime")
    # Connecting again from the panel gives a fresh runtime: what was uploaded is gone.
    panel.get_by_test_id("files-connect").click()
    expect(entries.filter(has_text="sample_data")).to_have_count(1, timeout=60_000)
    expect(entries.filter(has_text="renamed.txt")).to_have_count(0)


def test_revision_history_preview_and_restore(page: Page, cloudbook_server: Served) -> None:
    first = code_cell("x = 'first version'")
    first["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "printed then\n"},
        {"output_type": "display_data", "data": {"text/html": "<b>bold</b>"}, "metadata": {}},
    ]
    cells = [first, markdown_cell("## Notes *kept*")]
    open_notebook(page, cloudbook_server, cells, "rev.ipynb")
    page.get_by_role(
        "button", name="File", exact=True
    ).click()  # File → Revision history, as in Colab
    page.get_by_role("menuitem", name="Revision history").click()
    expect(page.get_by_test_id("sidebar-panel")).to_contain_text("Revision history")
    revisions = page.get_by_test_id("revision")
    expect(revisions).to_have_count(1)
    expect(revisions.first).to_contain_text("alice")

    page.get_by_test_id("cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("x = 'second version'")
    # Autosaves are coalesced into one revision every few minutes; Ctrl+S pins one now.
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved and pinned", timeout=20_000)
    page.get_by_test_id("revisions-refresh").click()
    expect(revisions).to_have_count(2)
    expect(revisions.first).to_contain_text("(current)")

    page.locator("[data-testid=revision][data-revision='1']").click()
    preview = page.get_by_test_id("revision-preview")
    expect(preview.locator(".rev-code")).to_have_text(["x = 'first version'"])
    expect(preview.get_by_test_id("revision-cell").first).to_contain_text("printed then")
    expect(preview.locator("iframe")).to_have_count(1)  # active output: sandboxed frame
    expect(preview.locator(".rev-cell-markdown h2 em")).to_have_text("kept")
    page.screenshot(path="/tmp/cloudbook-revisions.png")
    page.once("dialog", lambda d: d.accept())
    preview.get_by_test_id("revision-restore").click()
    expect(preview).to_be_hidden()
    expect(page.get_by_test_id("cell").first.locator(".cm-content")).to_have_text(
        "x = 'first version'"
    )
    page.get_by_test_id("sidebar-revisions").click()
    expect(revisions).to_have_count(3)
    # The restore is a new revision; the version it replaced is still there.
    page.locator("[data-testid=revision][data-revision='2']").click()
    expect(preview.locator(".rev-code")).to_have_text(["x = 'second version'"])
    preview.get_by_test_id("revision-close").click()
    expect(preview).to_be_hidden()
    page.locator("[data-testid=revision][data-revision='1']").click()
    expect(preview.locator(".rev-code")).to_have_text(["x = 'first version'"])
    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()
