"""The spine end to end, as a user: log in, make a notebook, run cells, reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def log_in(page: Page, served: Served) -> None:
    page.goto(served.base + "/")
    page.get_by_label("User name").fill(served.user)
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Log in").click()


def type_in_cell(page: Page, index: int, code: str) -> None:
    editor = page.get_by_test_id("cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.insert_text(code)


def run_cell(page: Page, index: int) -> None:
    page.get_by_test_id("cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def outputs(page: Page, index: int):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("cell").nth(index).get_by_test_id("outputs")


def test_notebook_runs_end_to_end_and_survives_reload(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    page.get_by_test_id("new-notebook").click()
    expect(page.get_by_test_id("notebook-name")).to_have_text("Untitled1.ipynb")

    type_in_cell(page, 0, "import os; print(os.getcwd())")
    run_cell(page, 0)
    expect(outputs(page, 0)).to_have_text("/content", timeout=60_000)

    type_in_cell(page, 1, "!echo hi")
    run_cell(page, 1)
    expect(outputs(page, 1)).to_contain_text("hi", timeout=30_000)

    type_in_cell(page, 2, "%env FOO=bar")
    run_cell(page, 2)
    type_in_cell(page, 3, "os.environ['FOO']")
    run_cell(page, 3)
    expect(outputs(page, 3)).to_have_text("'bar'", timeout=30_000)

    type_in_cell(page, 4, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()")
    run_cell(page, 4)
    image = outputs(page, 4).locator("img.output-image")
    expect(image).to_be_visible(timeout=60_000)
    assert image.evaluate("img => img.naturalWidth") > 100
    expect(page.get_by_test_id("execution-count").nth(4)).to_have_text("[5]")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    page.screenshot(path="/tmp/cloudbook-spine.png", full_page=True)
    page.reload()
    expect(page.get_by_test_id("notebook-name")).to_have_text("Untitled1.ipynb")
    expect(outputs(page, 0)).to_have_text("/content")
    expect(outputs(page, 1)).to_contain_text("hi")
    expect(outputs(page, 3)).to_have_text("'bar'")
    expect(outputs(page, 4).locator("img.output-image")).to_be_visible()
    expect(page.get_by_test_id("cell").nth(4).locator(".cm-content")).to_contain_text("plt.show()")


def test_wrong_password_shows_an_error(page: Page, cloudbook_server: Served) -> None:
    page.goto(cloudbook_server.base + "/")
    page.get_by_label("User name").fill(cloudbook_server.user)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
