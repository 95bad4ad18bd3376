"""Sharing in the browser: alice shares with bob as viewer (Shared with me, read-only,
playground run), then as editor (bob edits), a comment thread with a mention, a reply
and resolve; removing access while bob's page is open tells him so."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.colab_steps import FINISHED, RUN_TIMEOUT, cell, outputs
from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook, log_in, store_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

SHARE_SHOT = "/tmp/cloudbook-share-dialog.png"
COMMENTS_SHOT = "/tmp/cloudbook-comments.png"
VIEWER_SHOT = "/tmp/cloudbook-viewer.png"
HOSTILE = '"><img src=x onerror=window.__pwned=1>'


def add_user(served: Served, name: str, password: str) -> None:
    command = [sys.executable, "-m", "cloudbook", "user", "add", name, "--password-stdin"]
    subprocess.run(
        [*command, "--data-dir", str(served.data_dir)],
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
    )


def log_in_as(page: Page, served: Served, name: str, password: str) -> None:
    log_in(page, Served(served.base, served.data_dir, name, password))


def share_from_dialog(page: Page, user: str, role: str) -> None:
    dialog = page.get_by_role("dialog", name="Share")
    dialog.get_by_test_id("share-user").fill(user)
    dialog.get_by_test_id("share-role").select_option(role)
    dialog.get_by_test_id("share-add").click()
    expect(dialog.get_by_test_id("share-person").filter(has_text=user)).to_be_visible()


def test_share_view_playground_edit_comment_and_remove(
    browser: Browser, cloudbook_server: Served
) -> None:
    served = cloudbook_server
    add_user(served, "bob", "bob-password")
    alice = browser.new_context().new_page()
    bob = browser.new_context().new_page()
    log_in(alice, served)
    notebook_id = store_notebook(
        alice,
        "report.ipynb",
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "id": "first",
                    "source": "print('hello from alice')",
                    "metadata": {},
                    "execution_count": 1,
                    "outputs": [
                        {"output_type": "stream", "name": "stdout", "text": "saved output\n"}
                    ],
                }
            ],
        },
    )
    alice.goto(f"{served.base}/notebooks/{notebook_id}")
    expect(cell(alice, 0)).to_be_visible()

    # Share as viewer from the Share button, top right.
    alice.get_by_test_id("share-button").click()
    share_from_dialog(alice, "bob", "viewer")
    dialog = alice.get_by_role("dialog", name="Share")
    expect(dialog.get_by_test_id("share-general")).to_have_value("")
    alice.screenshot(path=SHARE_SHOT)
    dialog.get_by_test_id("share-done").click()

    # Bob finds it in Shared with me and opens it read-only, outputs shown.
    log_in_as(bob, served, "bob", "bob-password")
    bob.get_by_test_id("nav-shared").click()
    row = bob.get_by_test_id("shared-row").filter(has_text="report.ipynb")
    expect(row.get_by_test_id("shared-owner")).to_have_text("alice")
    expect(row.get_by_test_id("shared-role")).to_have_text("Viewer")
    row.get_by_test_id("shared-link").click()
    expect(bob.get_by_test_id("role-badge")).to_have_text("Viewer")
    expect(outputs(bob, 0)).to_contain_text("saved output")
    expect(cell(bob, 0).locator(".cm-content")).to_have_attribute("contenteditable", "false")
    expect(bob.get_by_test_id("add-code")).to_be_hidden()
    bob.screenshot(path=VIEWER_SHOT)

    # He runs it in a playground copy of his own.
    bob.get_by_test_id("open-playground").click()
    expect(bob).not_to_have_url(f"{served.base}/notebooks/{notebook_id}")
    expect(bob.get_by_test_id("role-badge")).to_have_count(0)
    cell(bob, 0).get_by_role("button", name="Run cell").click()
    expect(cell(bob, 0).get_by_test_id("execution-count")).to_have_text(
        FINISHED, timeout=RUN_TIMEOUT
    )
    expect(outputs(bob, 0)).to_contain_text("hello from alice")
    original = fetch_notebook(alice, notebook_id)
    assert original["content"]["cells"][0]["outputs"][0]["text"] == "saved output\n"

    # As editor he types into the notebook itself; alice's copy has it.
    alice.get_by_test_id("share-button").click()
    dialog = alice.get_by_role("dialog", name="Share")
    person = dialog.get_by_test_id("share-person").filter(has_text="bob")
    person.get_by_test_id("share-person-role").select_option("editor")
    expect(person.get_by_test_id("share-person-role")).to_have_value("editor")
    dialog.get_by_test_id("share-done").click()
    bob.goto(f"{served.base}/notebooks/{notebook_id}")
    expect(bob.get_by_test_id("role-badge")).to_have_text("Editor")
    editor = cell(bob, 0).locator(".cm-content")
    editor.click()
    bob.keyboard.press("End")
    bob.keyboard.type("  # checked by bob")
    expect(bob.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(alice, notebook_id)["content"]["cells"][0]["source"]
    assert saved.endswith("# checked by bob")

    # A comment thread: alice mentions bob, bob replies, alice resolves.
    alice.reload()
    cell(alice, 0).hover()
    alice.get_by_test_id("cell-comment").first.click()
    new = alice.get_by_test_id("comment-new")
    new.get_by_test_id("comment-new-text").fill("Please look, ")
    new.get_by_test_id("comment-new-text").press_sequentially("@bo")
    new.get_by_test_id("mention-option").filter(has_text="@bob").click()
    new.get_by_test_id("comment-new-text").press_sequentially(HOSTILE)
    new.get_by_test_id("comment-new-send").click()
    thread = alice.get_by_test_id("comment-thread").first
    expect(thread.get_by_test_id("comment-mention")).to_have_text("@bob")
    expect(thread.get_by_test_id("comment-body")).to_contain_text(HOSTILE)
    expect(cell(alice, 0).get_by_test_id("cell-comment-count")).to_have_text("1")

    bob.reload()
    expect(cell(bob, 0).get_by_test_id("cell-comment-count")).to_have_text("1")
    cell(bob, 0).get_by_test_id("cell-comment").click()
    bob_thread = bob.get_by_test_id("comment-thread").first
    bob_thread.get_by_test_id("thread-reply-text").fill("Done, see the new line.")
    bob_thread.get_by_test_id("thread-reply-send").click()
    expect(bob_thread.get_by_test_id("comment-author")).to_have_text(["alice", "bob"])

    alice.get_by_test_id("sidebar-comments").click()
    alice.get_by_test_id("sidebar-comments").click()
    thread = alice.get_by_test_id("comment-thread").first
    expect(thread.get_by_test_id("comment-author")).to_have_text(["alice", "bob"])
    alice.screenshot(path=COMMENTS_SHOT)
    thread.get_by_test_id("thread-resolve").click()
    expect(alice.get_by_test_id("comment-thread")).to_have_count(0)
    expect(cell(alice, 0).get_by_test_id("cell-comment-count")).to_have_text("")
    assert alice.evaluate("window.__pwned") is None
    assert bob.evaluate("window.__pwned") is None

    # Access removed while bob's page is open: the page says so.
    alice.get_by_test_id("share-button").click()
    dialog = alice.get_by_role("dialog", name="Share")
    dialog.get_by_test_id("share-person").filter(has_text="bob").get_by_test_id(
        "share-remove"
    ).click()
    expect(dialog.get_by_test_id("share-person").filter(has_text="bob")).to_have_count(0)
    expect(bob.get_by_test_id("access-removed")).to_be_visible()
