"""Two people on one notebook (issue 15 with live documents): alice shares it with bob as
Editor; both type in it at once and each sees the other's text and named cursor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_live_partition import wait_code
from tests.e2e.test_live_together import type_at_end
from tests.e2e.test_sharing import add_user, log_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


SCREENSHOT = "/tmp/cloudbook-live-editors.png"


def share(page: Page, notebook_id: str, user: str, role: str) -> None:
    status = page.evaluate(
        """async ([id, user, role]) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch(`/api/notebooks/${id}/shares`, {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({user, role})});
            return r.status;
        }""",
        [notebook_id, user, role],
    )
    assert status == 200, status


def test_an_editor_types_live_beside_the_owner(browser: Browser, cloudbook_server: Served) -> None:
    served = cloudbook_server
    add_user(served, "bob", "bob-password")
    alice = browser.new_context().new_page()
    bob = browser.new_context().new_page()
    log_in(alice, served)
    nb_id = create_notebook(alice, "pair.ipynb", [code_cell("total = 1"), code_cell("")])
    share(alice, nb_id, "bob", "editor")
    log_in_as(bob, served, "bob", "bob-password")
    url = f"{served.base}/notebooks/{nb_id}"
    for p in (alice, bob):
        p.goto(url)
        expect(p.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    expect(bob.get_by_test_id("role-badge")).to_have_text("Editor")

    type_at_end(alice, 0, " + 2")
    type_at_end(bob, 1, "print(total)")
    for p in (alice, bob):
        wait_code(p, 0, "total = 1 + 2")
        wait_code(p, 1, "print(total)")
    # Each sees the other's cursor, named, in the cell the other typed in.
    for me, other, index in ((alice, "bob", 1), (bob, "alice", 0)):
        caret = me.get_by_test_id("cell").nth(index).locator(".cm-ySelectionCaret")
        expect(caret).to_have_count(1)
        expect(caret.locator(".cm-ySelectionInfo")).to_have_text(other)
    alice.screenshot(path=SCREENSHOT, full_page=True)
    saved = fetch_notebook(alice, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["total = 1 + 2", "print(total)"]
