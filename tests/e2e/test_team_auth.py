"""Team sign-in and the admin page in Chromium: "Sign in with ..." through a real OpenID
provider on loopback and back signed in; an admin adds and disables a user (locked out
at once), sets quotas, sees a second runtime refused in the page and stops a runtime."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.colab_steps import cell, open_cells, open_notebook, run, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, log_in
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
SHOTS = Path("/tmp/cloudbook-teamauth")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    p.add_user("bob", email="bob@example.org", email_verified=True, preferred_username="bob")
    p.add_user("eve", email="eve@elsewhere.test", email_verified=True)
    with p.running():
        yield p


@pytest.fixture
def serve_env(provider: Provider) -> dict[str, str]:
    return {
        "CLOUDBOOK_POOL_SIZE": "0",
        "CLOUDBOOK_OIDC_ISSUER": provider.issuer,
        "CLOUDBOOK_OIDC_CLIENT_ID": CLIENT_ID,
        "CLOUDBOOK_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "CLOUDBOOK_OIDC_DISPLAY_NAME": "Example SSO",
        "CLOUDBOOK_OIDC_ALLOWED_DOMAINS": "example.org",
        "CLOUDBOOK_QUOTA_RUNTIMES": "1",
    }


def test_sign_in_with_the_provider(
    page: Page, cloudbook_server: Served, provider: Provider
) -> None:
    provider.client.redirect_uris.add(cloudbook_server.base + "/auth/oidc/callback")
    page.goto(cloudbook_server.base + "/")
    button = page.get_by_test_id("oidc-login")
    expect(button).to_have_text("Sign in with Example SSO")
    shot(page, "login-page")
    button.click()
    expect(page).to_have_title("Test identity provider", timeout=30_000)
    page.locator("#login").fill("bob")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("user-name")).to_have_text("bob", timeout=30_000)
    assert page.url == cloudbook_server.base + "/"
    expect(page.get_by_test_id("new-notebook")).to_be_visible()
    # Someone from a domain that is not allowed gets a clear page, and no session.
    page.context.clear_cookies()
    page.goto(cloudbook_server.base + "/")
    page.get_by_test_id("oidc-login").click()
    page.locator("#login").fill("eve")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#signin-error")).to_contain_text("example.org", timeout=30_000)
    shot(page, "signin-refused")
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_test_id("oidc-login")).to_be_visible()


def _make_admin(served: Served, name: str) -> None:
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "cloudbook",
            "user",
            "admin",
            name,
            "--data-dir",
            str(served.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr


def test_admin_page(page: Page, browser: Browser, cloudbook_server: Served) -> None:
    _make_admin(cloudbook_server, cloudbook_server.user)
    open_notebook(page, cloudbook_server, "one.ipynb", ["print('one')"])
    run_and_wait(page, 0)
    # A second runtime at once is over the quota (1): the page says why.
    open_cells(page, cloudbook_server, "two.ipynb", [code_cell("print('two')")])
    run(page, 0)
    expect(page.locator(".banner")).to_contain_text("most allowed at once (1)", timeout=30_000)
    expect(cell(page, 0).get_by_test_id("execution-count")).not_to_have_text("[1]")
    shot(page, "runtime-quota")

    page.goto(cloudbook_server.base + "/")
    page.get_by_test_id("admin-link").click()
    users = page.get_by_test_id("admin-user")
    expect(users).to_have_count(1, timeout=30_000)
    alice = page.locator('[data-testid="admin-user"][data-name="alice"]')
    expect(alice.get_by_test_id("runtimes")).to_have_text("1 / 1")
    expect(page.get_by_test_id("admin-runtime")).to_have_count(1)

    page.get_by_test_id("new-user-name").fill("carol")
    page.get_by_test_id("new-user-password").fill("carol-password")
    page.get_by_test_id("add-user").click()
    carol = page.locator('[data-testid="admin-user"][data-name="carol"]')
    expect(carol).to_contain_text("Password")
    carol.get_by_test_id("edit-quotas").click()
    page.get_by_test_id("quota-drive").fill("1G")
    page.get_by_test_id("quota-gpu_hours").fill("2.5")
    page.get_by_test_id("dialog-ok").click()
    expect(carol.get_by_test_id("storage")).to_have_text("0 B / 1 GB")
    expect(carol.get_by_test_id("gpu-hours")).to_have_text("0.00 / 2.5")

    # Carol signs in elsewhere; once disabled, her open page is signed out.
    other = browser.new_context()
    carol_page = other.new_page()
    log_in(
        carol_page,
        Served(cloudbook_server.base, cloudbook_server.data_dir, "carol", "carol-password"),
    )
    carol.get_by_test_id("disable").click()
    expect(carol).to_contain_text("(disabled)")
    carol_page.reload()
    expect(carol_page.get_by_role("button", name="Log in")).to_be_visible()
    carol_page.get_by_label("User name").fill("carol")
    carol_page.get_by_label("Password").fill("carol-password")
    carol_page.get_by_role("button", name="Log in").click()
    expect(carol_page.get_by_role("alert")).to_contain_text("disabled")
    other.close()

    # An admin cannot lock themselves out: the page says so and nothing changes.
    alice.get_by_test_id("disable").click()
    expect(page.get_by_test_id("admin-error")).to_contain_text("cannot disable yourself")
    shot(page, "admin-page")

    page.get_by_test_id("stop-runtime").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("admin-runtime")).to_have_count(0)
    expect(alice.get_by_test_id("runtimes")).to_have_text("0 / 1")


def test_non_admins_do_not_get_the_admin_page(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    expect(page.get_by_test_id("admin-link")).to_have_count(0)
    page.goto(cloudbook_server.base + "/admin")
    expect(page.get_by_test_id("page-error")).to_contain_text("Only administrators")
    response = page.request.get(cloudbook_server.base + "/api/admin/users")
    assert response.status == 403
