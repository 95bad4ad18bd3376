"""The spine end to end, as a user: log in, make a notebook, run cells, reload."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-notebook.png"


def log_in(page: Page, served: Served) -> None:
    page.goto(served.base + "/")
    page.get_by_label("User name").fill(served.user)
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Log in").click()


def new_notebook(page: Page, served: Served) -> None:
    log_in(page, served)
    # Enabled once the service finished starting (store, migrations, runtime pool).
    page.get_by_test_id("new-notebook").click(timeout=30_000)
    expect(page.get_by_test_id("notebook-name")).to_have_text("Untitled0.ipynb", timeout=30_000)


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def type_in_cell(page: Page, index: int, code: str) -> None:
    cell(page, index).locator(".cm-content").click()
    page.keyboard.insert_text(code)


def run_cell(page: Page, index: int) -> None:
    cell(page, index).locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def outputs(page: Page, index: int) -> Locator:
    return cell(page, index).get_by_test_id("outputs")


@contextmanager
def other_client(served: Served) -> Iterator[httpx.Client]:
    """A second, script-like session of the same user (another tab, another machine)."""
    with httpx.Client(base_url=served.base) as client:
        login = {"name": served.user, "password": served.password}
        client.post("/api/auth/login", json=login).raise_for_status()
        client.headers["X-XSRF-Token"] = client.cookies["cloudbook_xsrf"]
        yield client


def test_notebook_runs_end_to_end_and_survives_reload(page: Page, cloudbook_server: Served) -> None:
    new_notebook(page, cloudbook_server)
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "disconnected")

    type_in_cell(page, 0, "import os; print(os.getcwd())")
    run_cell(page, 0)
    expect(outputs(page, 0)).to_have_text("/content", timeout=60_000)
    expect(kernel).to_have_attribute("data-state", "idle")
    expect(kernel).to_have_text("Connected")

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
    # Shift+Enter on the last cell added a fresh one and moved there.
    expect(page.get_by_test_id("cell")).to_have_count(6)

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.reload()
    expect(page.get_by_test_id("notebook-name")).to_have_text("Untitled0.ipynb")
    expect(outputs(page, 0)).to_have_text("/content")
    expect(outputs(page, 1)).to_contain_text("hi")
    expect(outputs(page, 3)).to_have_text("'bar'")
    expect(outputs(page, 4).locator("img.output-image")).to_be_visible()
    expect(page.get_by_test_id("execution-count").nth(4)).to_have_text("[5]")
    expect(cell(page, 4).locator(".cm-content")).to_contain_text("plt.show()")

    # The list shows the notebook; opening it from there lands on the same page.
    page.goto(cloudbook_server.base + "/")
    page.get_by_test_id("notebook-link").filter(has_text="Untitled0.ipynb").click()
    expect(outputs(page, 0)).to_have_text("/content")


def test_errors_render_as_text_and_stop_the_queue(page: Page, cloudbook_server: Served) -> None:
    new_notebook(page, cloudbook_server)
    type_in_cell(page, 0, "import sys\nprint('to stderr', file=sys.stderr)\n1/0")
    page.get_by_test_id("add-code").click()
    type_in_cell(page, 1, "print('after')")
    page.get_by_test_id("run-all").click()

    error = outputs(page, 0).locator(".output-error")
    expect(error).to_contain_text("ZeroDivisionError", timeout=60_000)
    expect(error).to_contain_text("division by zero")
    assert "\x1b" not in error.inner_text()
    assert "[0;" not in error.inner_text() and "[39m" not in error.inner_text()
    expect(outputs(page, 0).locator(".stream-stderr")).to_have_text("to stderr\n")
    expect(page.get_by_test_id("execution-count").nth(0)).to_have_text("[1]")
    # Like Jupyter: a failing cell cancels the cells queued after it.
    expect(page.get_by_test_id("execution-count").nth(1)).to_have_text("[ ]")
    expect(outputs(page, 1)).to_have_text("")


@pytest.mark.parametrize("serve_env", [{"CLOUDBOOK_LIVE_DOCUMENTS": "1"}])
def test_an_api_write_reaches_the_open_page_and_a_stale_one_gets_409(
    page: Page, cloudbook_server: Served
) -> None:
    """Live documents (the default): the page never PUTs, the service saves the shared
    document. An API client's PUT goes through that document: a current one shows in the
    open page at once; a stale one gets 409 and changes nothing. (The page's own
    PUT-conflict merge, with live documents off: tests/e2e/test_conflict.py.)"""
    new_notebook(page, cloudbook_server)
    type_in_cell(page, 0, "x = 1")
    save_state = page.get_by_test_id("save-state")
    expect(save_state).to_have_attribute("data-synced", "true", timeout=30_000)
    notebook_id = page.url.rsplit("/", 1)[1]

    with other_client(cloudbook_server) as other:
        # A GET holds what was typed (the service saves the document's edits first).
        current = other.get(f"/api/notebooks/{notebook_id}").json()
        assert current["content"]["cells"][0]["source"] == "x = 1"
        content = current["content"]
        content["cells"][0]["source"] = "x = 1  # from a script"
        body = {"content": content, "base_revision": current["revision"]}
        other.put(f"/api/notebooks/{notebook_id}", json=body).raise_for_status()
        expect(cell(page, 0)).to_contain_text("x = 1  # from a script")
        # A script still on the revision before that write: refused, nothing changes.
        content["cells"][0]["source"] = "x = 'stale'"
        r = other.put(f"/api/notebooks/{notebook_id}", json=body)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "stale_revision"

    cell(page, 0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\ny = 2")
    expect(page.get_by_role("alert")).to_be_hidden()
    wanted = "x = 1  # from a script\ny = 2"
    with other_client(cloudbook_server) as other:
        # The keys reach the service a moment after the page shows them.
        deadline = time.monotonic() + 30
        while True:
            saved = other.get(f"/api/notebooks/{notebook_id}").json()
            source = saved["content"]["cells"][0]["source"]
            if source == wanted:
                break
            assert time.monotonic() < deadline, source
            time.sleep(0.1)
    assert saved["revision"] > current["revision"]


def test_a_deleted_runtime_is_noticed_and_the_next_run_gets_a_fresh_one(
    page: Page, cloudbook_server: Served
) -> None:
    new_notebook(page, cloudbook_server)
    type_in_cell(page, 0, "x = 41; print(x + 1)")
    run_cell(page, 0)
    expect(outputs(page, 0)).to_have_text("42", timeout=60_000)
    notebook_id = page.url.rsplit("/", 1)[1]

    with other_client(cloudbook_server) as other:
        other.delete(f"/api/notebooks/{notebook_id}/session").raise_for_status()

    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "disconnected", timeout=30_000)
    expect(page.get_by_role("alert")).to_contain_text("runtime was disconnected")
    type_in_cell(page, 1, "print('x' in globals())")
    run_cell(page, 1)
    expect(outputs(page, 1)).to_have_text("False", timeout=60_000)
    expect(kernel).to_have_attribute("data-state", "idle")
    expect(page.get_by_role("alert")).to_be_hidden()


def test_wrong_password_shows_an_error(page: Page, cloudbook_server: Served) -> None:
    page.goto(cloudbook_server.base + "/")
    page.get_by_label("User name").fill(cloudbook_server.user)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")


def test_unknown_notebook_shows_a_clear_page(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    expect(page.get_by_test_id("new-notebook")).to_be_visible()
    page.goto(cloudbook_server.base + "/notebooks/does-not-exist")
    expect(page.get_by_test_id("page-error")).to_contain_text("does not exist")
