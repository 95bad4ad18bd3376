"""Sharing in the browser, continued: a shared folder opens from "Shared with me" as a
tree (sub-folders and notebooks, role following the folder share); a viewer runs a
playground copy with a secret of their own, and the owner's secret never reaches them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.colab_steps import FINISHED, RUN_TIMEOUT, cell, outputs
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, fetch_notebook, log_in, store_notebook
from tests.e2e.test_secrets import add_secret, open_panel, row
from tests.e2e.test_sharing import add_user, log_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

ALICE_TOKEN = "alice-owner-token-7f3e9"
BOB_TOKEN = "bob-playground-token-42c1"


def _api(page: Page, method: str, url: str, body: Any = None) -> int:
    return int(
        page.evaluate(
            """async ([method, url, body]) => {
                const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
                const r = await fetch(url, {method, headers: {'Content-Type': 'application/json',
                    'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                    body: body === null ? undefined : JSON.stringify(body)});
                return r.status;
            }""",
            [method, url, body],
        )
    )


def _notebook(source: str, saved: str) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                **code_cell(source),
                "id": "only",
                "execution_count": 1,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": saved + "\n"}],
            }
        ],
    }


def test_shared_folder_tree(browser: Browser, cloudbook_server: Served) -> None:
    served = cloudbook_server
    add_user(served, "bob", "bob-password")
    alice = browser.new_context().new_page()
    log_in(alice, served)
    for path in ("proj", "proj/data", "proj/data/raw", "elsewhere"):
        assert _api(alice, "POST", "/api/folders", {"path": path}) == 201
    store_notebook(alice, "proj/top.ipynb", _notebook("1", "top"))
    deep = store_notebook(alice, "proj/data/raw/deep.ipynb", _notebook("2", "deep output"))
    store_notebook(alice, "elsewhere/hidden.ipynb", _notebook("3", "hidden"))
    status = _api(
        alice, "POST", "/api/folder-shares?path=proj", {"user": "bob", "role": "commenter"}
    )
    assert status == 200

    bob = browser.new_context().new_page()
    log_in_as(bob, served, "bob", "bob-password")
    bob.get_by_test_id("nav-shared").click()
    folder = bob.get_by_test_id("shared-folder-row").filter(has_text="proj")
    expect(folder.get_by_test_id("shared-role")).to_have_text("Commenter")
    # Notebooks inside the folder are reached through it, not listed beside it.
    expect(bob.get_by_test_id("shared-row")).to_have_count(0)
    folder.get_by_test_id("shared-folder-link").click()
    expect(bob.get_by_test_id("breadcrumbs")).to_contain_text("proj (alice)")
    expect(bob.get_by_test_id("shared-row").get_by_test_id("shared-link")).to_have_text(
        ["top.ipynb"]
    )
    bob.get_by_test_id("shared-folder-link").filter(has_text="data").click()
    expect(bob).to_have_url(f"{served.base}/?view=shared&owner=alice&folder=proj%2Fdata")
    bob.get_by_test_id("shared-folder-link").filter(has_text="raw").click()
    expect(bob.get_by_test_id("crumb")).to_have_text(
        ["Shared with me", "proj (alice)", "data", "raw"]
    )
    link = bob.get_by_test_id("shared-link").filter(has_text="deep.ipynb")
    expect(link.locator("xpath=ancestor::tr").get_by_test_id("shared-role")).to_have_text(
        "Commenter"
    )
    bob.screenshot(path="/work/notes/shots/audit-shared-tree.png")
    # Back up through the crumbs, then into the notebook with the folder's role.
    bob.get_by_test_id("crumb").filter(has_text="data").click()
    expect(bob.get_by_test_id("shared-folder-link")).to_have_text(["📁 raw"])
    bob.goto(f"{served.base}/?view=shared&owner=alice&folder=proj%2Fdata%2Fraw")
    bob.get_by_test_id("shared-link").filter(has_text="deep.ipynb").click()
    expect(bob).to_have_url(f"{served.base}/notebooks/{deep}")
    expect(bob.get_by_test_id("role-badge")).to_have_text("Commenter")
    expect(outputs(bob, 0)).to_contain_text("deep output")
    # A folder outside the share, by URL: the page says it is not there.
    bob.goto(f"{served.base}/?view=shared&owner=alice&folder=elsewhere")
    expect(bob.get_by_role("alert")).to_contain_text("not shared with you")
    expect(bob.locator("body")).not_to_contain_text("hidden.ipynb")


def test_viewer_runs_a_playground_copy_with_their_own_secret(
    browser: Browser, cloudbook_server: Served
) -> None:
    served = cloudbook_server
    add_user(served, "bob", "bob-password")
    alice = browser.new_context().new_page()
    log_in(alice, served)
    source = "from google.colab import userdata\nprint('token is', userdata.get('TOKEN'))"
    shared = store_notebook(alice, "uses-token.ipynb", _notebook(source, "token is (hidden)"))
    assert _api(alice, "PUT", "/api/secrets/TOKEN", {"value": ALICE_TOKEN}) == 200
    url = f"/api/notebooks/{shared}/secrets/TOKEN/access"
    assert _api(alice, "PUT", url, {"granted": True}) == 204
    url = f"/api/notebooks/{shared}/shares"
    assert _api(alice, "POST", url, {"user": "bob", "role": "viewer"}) == 200

    bob = browser.new_context().new_page()
    log_in_as(bob, served, "bob", "bob-password")
    bob.goto(f"{served.base}/notebooks/{shared}")
    expect(bob.get_by_test_id("role-badge")).to_have_text("Viewer")
    expect(outputs(bob, 0)).to_contain_text("token is (hidden)")
    editor = cell(bob, 0).locator(".cm-content")
    expect(editor).to_have_attribute("contenteditable", "false")
    editor.click()
    bob.keyboard.type("typed by bob")
    expect(editor).not_to_contain_text("typed by bob")

    bob.get_by_test_id("open-playground").click()
    expect(bob).not_to_have_url(f"{served.base}/notebooks/{shared}")
    expect(bob.get_by_test_id("role-badge")).to_have_count(0)
    copy_id = bob.url.rsplit("/", 1)[-1]
    # His own TOKEN, granted to his copy in the Secrets panel, as on Colab.
    open_panel(bob)
    expect(bob.get_by_test_id("secret-row")).to_have_count(0)  # none of alice's
    add_secret(bob, "TOKEN", BOB_TOKEN)
    row(bob, "TOKEN").get_by_test_id("secret-access").check()
    expect(row(bob, "TOKEN").get_by_test_id("secret-access")).to_be_checked()
    cell(bob, 0).get_by_role("button", name="Run cell").click()
    expect(cell(bob, 0).get_by_test_id("execution-count")).to_have_text(
        FINISHED, timeout=RUN_TIMEOUT
    )
    expect(outputs(bob, 0)).to_have_text(f"token is {BOB_TOKEN}")
    bob.screenshot(path="/work/notes/shots/audit-playground-secret.png")

    assert ALICE_TOKEN not in bob.content()
    copy = fetch_notebook(bob, copy_id)
    assert ALICE_TOKEN not in str(copy)
    original = fetch_notebook(alice, shared)
    assert BOB_TOKEN not in str(original) and ALICE_TOKEN not in str(original)
    assert original["content"]["cells"][0]["outputs"][0]["text"] == "token is (hidden)\n"
