"""Kernel completion and inspect tooltips in code cells, against a real kernel."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import cell_code, code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-completion.png"


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def open_notebook(page: Page, served: Served, cells: list[str]) -> None:
    log_in(page, served)
    nb_id = create_notebook(page, "assist.ipynb", [code_cell(c) for c in cells])
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))


def connect(page: Page) -> None:
    """Runs the first cell, which connects the notebook's runtime."""
    cell(page, 0).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(cell(page, 0).get_by_test_id("outputs")).to_have_text("ready", timeout=60_000)
    expect(page.get_by_test_id("kernel-state")).to_have_attribute("data-state", "idle")


def type_at_end(page: Page, index: int, text: str) -> None:
    cell(page, index).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)


def test_tab_completes_from_the_kernel(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, ["print('ready')", ""])
    popup = page.locator(".cm-tooltip-autocomplete")

    # No runtime yet: Tab indents as usual, and asking never connects one.
    type_at_end(page, 1, "os.pa")
    page.keyboard.press("Home")
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    expect(popup).to_have_count(0)
    assert cell_code(page, 1) == "  os.pa"  # Colab indents by two spaces
    page.keyboard.type(".")  # no completions after a dot either
    page.keyboard.press("Control+Space")
    expect(popup).to_have_count(0)
    expect(page.get_by_test_id("kernel-state")).to_have_attribute("data-state", "disconnected")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")

    connect(page)
    type_at_end(page, 1, "import os\nos.pa")
    page.keyboard.press("Tab")
    expect(popup).to_be_visible(timeout=15_000)
    expect(popup.locator(".cm-completionLabel", has_text="path").first).to_be_visible()
    # The kernel's types are shown beside the names.
    expect(popup.locator(".cm-completionDetail").first).to_have_text("module")
    page.screenshot(path=SCREENSHOT)
    labels = popup.locator(".cm-completionLabel").all_inner_texts()
    assert labels and all(label.startswith("pa") for label in labels), labels
    popup.locator(".cm-completionLabel").get_by_text("path", exact=True).click()
    expect(popup).to_have_count(0)
    assert cell_code(page, 1) == "import os\nos.path"

    # Tab after a space indents; Colab-style, typing after a dot opens completions.
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("x = 1\n")
    page.keyboard.press("Tab")
    assert cell_code(page, 1) == "x = 1\n  "
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("import os\n")
    page.keyboard.type("os.ge")
    expect(popup.locator(".cm-completionLabel", has_text="getcwd").first).to_be_visible(
        timeout=15_000
    )
    page.keyboard.type("tcw")
    expect(popup.locator(".cm-completionLabel")).to_have_text(["getcwd", "getcwdb"])
    page.keyboard.press("Tab")
    assert cell_code(page, 1) == "import os\nos.getcwd"

    # Ctrl+Space asks too, anywhere.
    page.keyboard.insert_text("\npri")
    page.keyboard.press("Control+Space")
    expect(popup.locator(".cm-completionLabel", has_text="print").first).to_be_visible(
        timeout=15_000
    )
    # The kernel's answer may replace a first, local one: accept once "print" is chosen.
    chosen = popup.locator("li[aria-selected='true'] .cm-completionLabel")
    expect(chosen).to_have_text("print", timeout=15_000)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("cell").nth(1).locator(".cm-line").last).to_have_text("print")
    assert cell_code(page, 1) == "import os\nos.getcwd\nprint"


def test_signature_tooltip(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, ["import os\nprint('ready')", ""])
    tooltip = page.get_by_test_id("inspect-tooltip")

    # Without a kernel "(" just types (and closes the bracket).
    type_at_end(page, 1, "")
    page.keyboard.type("len(")
    assert cell_code(page, 1) == "len()"
    expect(tooltip).to_have_count(0)
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")

    connect(page)
    cell(page, 1).locator(".cm-content").click()
    page.keyboard.type("len(")
    expect(tooltip).to_be_visible(timeout=15_000)
    expect(tooltip).to_contain_text("Return the number of items in a container")
    expect(tooltip).to_contain_text("len(obj, /)")
    assert "\x1b" not in tooltip.inner_text()
    page.screenshot(path="/tmp/cloudbook-inspect.png")
    page.keyboard.press("Escape")
    expect(tooltip).to_have_count(0)

    # Shift+Tab on a name asks too; leaving the call closes it.
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("os.getcwd")
    page.keyboard.press("Escape")  # the completions that the dot opened
    page.keyboard.press("Shift+Tab")
    expect(tooltip).to_contain_text("current working directory", timeout=15_000)
    page.keyboard.press("Home")
    expect(tooltip).to_have_count(0)
