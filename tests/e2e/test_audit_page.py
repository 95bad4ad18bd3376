"""The admin page's audit log in Chromium: sharing, a failed sign-in and an ownership
transfer show up newest first; the filters narrow them; a hostile notebook name in an
event's details renders as text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in
from tests.e2e.test_sharing import HOSTILE, add_user
from tests.e2e.test_team_auth import _make_admin

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
SHOT = "/work/notes/shots/audit-admin-audit.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_POOL_SIZE": "0"}


def _call(page: Page, method: str, url: str, body: Any) -> int:
    return int(
        page.evaluate(
            """async ([method, url, body]) => {
                const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
                const r = await fetch(url, {method, headers: {'Content-Type': 'application/json',
                    'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                    body: JSON.stringify(body)});
                return r.status;
            }""",
            [method, url, body],
        )
    )


def test_audit_log_on_the_admin_page(browser: Browser, cloudbook_server: Served) -> None:
    served = cloudbook_server
    _make_admin(served, served.user)
    add_user(served, "bob", "bob-password")
    alice = browser.new_context().new_page()
    log_in(alice, served)
    plain = create_notebook(alice, "report.ipynb", [code_cell("1")])
    assert (
        _call(alice, "POST", f"/api/notebooks/{plain}/shares", {"user": "bob", "role": "viewer"})
        == 200
    )
    hostile = create_notebook(alice, HOSTILE + ".ipynb", [code_cell("2")])
    assert _call(alice, "POST", f"/api/notebooks/{hostile}/owner", {"user": "bob"}) == 200

    stranger = browser.new_context().new_page()
    stranger.goto(served.base + "/")
    stranger.get_by_label("User name").fill("bob")
    stranger.get_by_label("Password").fill("not-bobs-password")
    stranger.get_by_role("button", name="Log in").click()
    expect(stranger.get_by_role("alert")).to_contain_text("Wrong user name or password")

    alice.goto(served.base + "/admin")
    events = alice.get_by_test_id("audit-event")
    expect(events.first).to_have_attribute("data-kind", "signin.failed", timeout=30_000)
    kinds = [e.get_attribute("data-kind") for e in events.all()]
    assert kinds[:3] == ["signin.failed", "ownership.transferred", "share.added"], kinds
    transfer = events.nth(1)
    expect(transfer).to_contain_text(HOSTILE)  # as text, in the details
    expect(transfer.locator("img")).to_have_count(0)

    alice.get_by_test_id("audit-user").fill("bob")
    alice.get_by_test_id("audit-kind").select_option("signin.failed")
    alice.get_by_test_id("audit-apply").click()
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text("login_failed")
    expect(events.first).not_to_contain_text("not-bobs-password")
    alice.get_by_test_id("audit-kind").select_option("share")
    alice.get_by_test_id("audit-apply").click()
    expect(events).to_have_count(1)
    expect(events.first).to_have_attribute("data-kind", "share.added")
    expect(events.first).to_contain_text("viewer")
    alice.get_by_test_id("audit-user").fill("")
    alice.get_by_test_id("audit-kind").select_option("")
    alice.get_by_test_id("audit-apply").click()
    expect(alice.get_by_test_id("audit").locator("h2")).to_be_visible()
    alice.screenshot(path=SHOT, full_page=True)
    assert alice.evaluate("window.__pwned") is None
    assert "not-bobs-password" not in alice.content()
