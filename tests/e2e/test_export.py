"""File > Download .ipynb / .py and Print, as a user does them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import PythonExporter
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-print.png"
LONG = "\n".join(f"line_{i} = {i}" for i in range(120))


def cells() -> list[dict[str, Any]]:
    with_output = code_cell("print('hello')")
    with_output["execution_count"] = 1
    with_output["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hello\n"}]
    return [
        {"cell_type": "markdown", "source": "# Report\n\nSome *text*.", "metadata": {}},
        with_output,
        code_cell('#@title Options\nn = 3 #@param {type:"integer"}'),
        code_cell("%env FOO=bar\n!echo hi\nfiles = !ls"),
        code_cell(LONG),
    ]


def download(page: Page, item: str) -> tuple[str, bytes]:
    page.get_by_role("button", name="File", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("menuitem", name=item).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def test_download_ipynb_and_py(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "reports/export.ipynb", cells())
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(5)
    # An edit not saved yet is in the download too.
    page.get_by_test_id("cell").nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\nx = 1")

    name, data = download(page, "Download .ipynb")
    assert name == "export.ipynb"
    nb = nbformat.reads(data.decode(), as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == [
        "# Report\n\nSome *text*.",
        "print('hello')\nx = 1",
        '#@title Options\nn = 3 #@param {type:"integer"}',
        "%env FOO=bar\n!echo hi\nfiles = !ls",
        LONG,
    ]
    assert nb.cells[1].outputs[0]["text"] == "hello\n"
    assert json.loads(data)["nbformat"] == 4

    name, data = download(page, "Download .py")
    assert name == "export.py"
    # Byte for byte what nbconvert's script export makes of the same notebook.
    expected, _ = PythonExporter().from_notebook_node(nb)
    assert data.decode() == expected
    text = data.decode()
    assert "# # Report" in text
    assert "get_ipython().run_line_magic('env', 'FOO=bar')" in text
    assert "files = get_ipython().getoutput('ls')" in text
    assert 'n = 3 #@param {type:"integer"}' in text


def test_print_shows_every_cell_without_controls(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "print.ipynb", cells())
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(5)
    page.evaluate("() => { window.__printed = 0; window.print = () => window.__printed++; }")
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Print").click()
    assert page.evaluate("() => window.__printed") == 1

    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.locator(".add-bar")).to_be_hidden()
    expect(page.locator(".cell .cm-editor").first).to_be_hidden()
    sources = page.locator(".print-source")
    expect(sources).to_have_count(4)
    # All 120 lines of the long cell, though its editor draws only those near the screen.
    expect(sources.nth(3)).to_contain_text("line_0 = 0")
    expect(sources.nth(3)).to_contain_text("line_119 = 119")
    expect(page.locator(".print-markdown h1")).to_have_text("Report")
    expect(page.get_by_test_id("outputs").nth(1)).to_have_text("hello")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # After printing the page is as before.
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    expect(sources).to_have_count(0)
    page.emulate_media(media="screen")
    expect(page.locator(".toolbar")).to_be_visible()
