"""auth.authenticate_user() in the browser: Google credentials stored in the Secrets
panel, Colab's "Permit this notebook to access your Google credentials?" prompt, and
Application Default Credentials in a real (sandboxed) runtime."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.cli.test_run_auth import service_account_key
from tests.e2e.colab_steps import cell, open_notebook, outputs
from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook
from tests.e2e.test_secrets import open_panel

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

PANEL_SHOT = "/tmp/cloudbook-google-credentials.png"
PROMPT_SHOT = "/tmp/cloudbook-google-prompt.png"
AUTH = (
    "from google.colab import auth\nauth.authenticate_user()\n"
    "import google.auth\ncreds, project = google.auth.default()\n"
    "print(creds.service_account_email, project)"
)


def test_store_allow_and_deny(page: Page, cloudbook_server: Served) -> None:
    key = service_account_key()
    secret_line = key["private_key"].splitlines()[1]
    nb_id = open_notebook(page, cloudbook_server, "auth.ipynb", [AUTH])
    open_panel(page)
    section = page.get_by_test_id("google-credentials")
    expect(section.get_by_test_id("google-status")).to_have_text("None stored.")
    section.get_by_test_id("google-json").fill("{not json")
    section.get_by_test_id("google-save").click()
    expect(section.get_by_role("alert")).to_contain_text("not JSON")
    section.get_by_test_id("google-json").fill(json.dumps(key))
    section.get_by_test_id("google-save").click()
    expect(section.get_by_test_id("google-status")).to_have_text(
        "Service account robot@demo-project.iam.gserviceaccount.com (project demo-project)"
    )
    expect(section.get_by_test_id("google-json")).to_have_value("")
    page.screenshot(path=PANEL_SHOT)

    cell(page, 0).get_by_role("button", name="Run cell").click()
    prompt = page.get_by_test_id("secret-prompt")
    expect(prompt).to_contain_text(
        "Permit this notebook to access your Google credentials?", timeout=90_000
    )
    page.screenshot(path=PROMPT_SHOT)
    page.get_by_test_id("secret-grant").click()
    expect(outputs(page, 0)).to_have_text(
        "robot@demo-project.iam.gserviceaccount.com demo-project", timeout=60_000
    )

    # Asked again at the next run; denied, the code gets AuthorizationError.
    cell(page, 0).get_by_role("button", name="Run cell").click()
    expect(prompt).to_be_visible(timeout=60_000)
    page.get_by_test_id("secret-deny").click()
    expect(outputs(page, 0)).to_contain_text("AuthorizationError", timeout=60_000)
    expect(outputs(page, 0)).to_contain_text("did not permit")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    assert secret_line not in str(fetch_notebook(page, nb_id))
    log = (cloudbook_server.data_dir.parent / "serve.log").read_text()
    assert secret_line not in log
