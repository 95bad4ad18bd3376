"""Secrets in the browser: the Secrets panel, the "Grant access to KEY?" prompt, and
userdata.get in a real runtime. Outputs show a hash of a value, never the value."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.colab_steps import cell, open_notebook, outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

VALUE = "sk-test-4c1d2b9a-never-print-me"
NEW_VALUE = "rotated-8e7f-also-secret"
PANEL_SHOT = "/tmp/cloudbook-secrets-panel.png"
PROMPT_SHOT = "/tmp/cloudbook-secrets-prompt.png"

READ = (
    "from google.colab import userdata\nimport hashlib\n"
    "v = userdata.get('{key}')\n"
    "print('len', len(v), hashlib.sha256(v.encode()).hexdigest()[:12])"
)


def digest(value: str) -> str:
    return f"len {len(value)} {hashlib.sha256(value.encode()).hexdigest()[:12]}"


def open_panel(page: Page) -> None:
    page.get_by_test_id("sidebar-secrets").click()
    expect(page.get_by_test_id("secrets-panel")).to_be_visible()


def add_secret(page: Page, name: str, value: str) -> None:
    page.get_by_test_id("secret-add").click()
    page.get_by_test_id("secret-new-name").fill(name)
    page.get_by_test_id("secret-new-value").fill(value)
    page.get_by_test_id("secret-save").click()
    expect(page.locator(f'[data-testid="secret-row"][data-name="{name}"]')).to_be_visible()


def row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="secret-row"][data-name="{name}"]')


def test_panel_prompt_grant_deny_and_missing(page: Page, cloudbook_server: Served) -> None:
    nb_id = open_notebook(
        page,
        cloudbook_server,
        "secrets.ipynb",
        [
            READ.format(key="API_KEY"),
            "from google.colab import userdata\nuserdata.get('OTHER')",
            "from google.colab import userdata\nuserdata.get('MISSING')",
        ],
    )
    open_panel(page)
    add_secret(page, "API_KEY", VALUE)
    add_secret(page, "OTHER", "other-value")
    expect(row(page, "API_KEY").get_by_test_id("secret-access")).not_to_be_checked()
    expect(page.get_by_test_id("secrets-panel")).not_to_contain_text(VALUE)
    page.screenshot(path=PANEL_SHOT)

    # First read from this notebook: Colab's prompt; granted, the value reaches the code.
    cell(page, 0).get_by_role("button", name="Run cell").click()
    prompt = page.get_by_test_id("secret-prompt")
    expect(prompt).to_be_visible(timeout=90_000)
    expect(prompt).to_contain_text("Grant access to API_KEY?")
    page.screenshot(path=PROMPT_SHOT)
    page.get_by_test_id("secret-grant").click()
    expect(outputs(page, 0)).to_have_text(digest(VALUE), timeout=60_000)
    expect(row(page, "API_KEY").get_by_test_id("secret-access")).to_be_checked()

    # Remembered for this notebook: no second prompt.
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text(digest(VALUE))
    expect(prompt).to_have_count(0)

    # Denied: NotebookAccessError in the output.
    cell(page, 1).get_by_role("button", name="Run cell").click()
    expect(prompt).to_contain_text("Grant access to OTHER?")
    page.get_by_test_id("secret-deny").click()
    expect(outputs(page, 1)).to_contain_text("NotebookAccessError")
    expect(outputs(page, 1)).to_contain_text("Notebook does not have access to secret OTHER")

    # Missing: SecretNotFoundError, and nobody is asked.
    run_and_wait(page, 2)
    expect(outputs(page, 2)).to_contain_text("SecretNotFoundError")
    expect(prompt).to_have_count(0)

    # Access turned off in the panel: asked again; a new value typed in the masked field.
    row(page, "API_KEY").get_by_test_id("secret-access").uncheck()
    value_field = row(page, "API_KEY").get_by_test_id("secret-value")
    expect(value_field).to_have_attribute("type", "password")
    value_field.fill(NEW_VALUE)
    value_field.press("Enter")
    expect(value_field).to_have_attribute("placeholder", "•••••••• (saved)")
    cell(page, 0).get_by_role("button", name="Run cell").click()
    expect(prompt).to_contain_text("Grant access to API_KEY?", timeout=60_000)
    page.get_by_test_id("secret-grant").click()
    expect(outputs(page, 0)).to_have_text(digest(NEW_VALUE), timeout=60_000)

    row(page, "OTHER").get_by_test_id("secret-delete").click()
    expect(row(page, "OTHER")).to_have_count(0)

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    saved = str(fetch_notebook(page, nb_id))
    assert VALUE not in saved and NEW_VALUE not in saved
    log = (cloudbook_server.data_dir.parent / "serve.log").read_text()
    assert VALUE not in log and NEW_VALUE not in log


def test_each_viewer_reads_their_own_secret(
    page: Page, browser: Browser, cloudbook_server: Served
) -> None:
    source = READ.format(key="API_KEY")
    alice_nb = open_notebook(page, cloudbook_server, "mine.ipynb", [source])
    open_panel(page)
    add_secret(page, "API_KEY", VALUE)
    cell(page, 0).get_by_role("button", name="Run cell").click()
    page.get_by_test_id("secret-grant").click(timeout=90_000)
    expect(outputs(page, 0)).to_have_text(digest(VALUE), timeout=60_000)

    subprocess.run(
        [sys.executable, "-m", "cloudbook", "user", "add", "bob", "--password-stdin",
         "--data-dir", str(cloudbook_server.data_dir)],
        input="bob-password\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    bob = browser.new_page()
    bob_served = Served(
        base=cloudbook_server.base,
        data_dir=cloudbook_server.data_dir,
        user="bob",
        password="bob-password",
    )
    open_notebook(bob, bob_served, "mine.ipynb", [source])  # Bob's copy of the notebook
    # The API never hands Alice's secret to Bob, whichever notebook he names.
    for path in (f"/api/notebooks/{alice_nb}/secrets/API_KEY", "/api/secrets"):
        body = bob.evaluate("async (p) => await (await fetch(p)).text()", path)
        assert VALUE not in body
    # Without a secret of his own, Bob's run finds none (no prompt).
    cell(bob, 0).get_by_role("button", name="Run cell").click()
    expect(outputs(bob, 0)).to_contain_text("SecretNotFoundError", timeout=90_000)
    open_panel(bob)
    add_secret(bob, "API_KEY", "bobs-own-value")
    cell(bob, 0).get_by_role("button", name="Run cell").click()
    bob.get_by_test_id("secret-grant").click()
    expect(outputs(bob, 0)).to_have_text(digest("bobs-own-value"), timeout=60_000)
    bob.close()
