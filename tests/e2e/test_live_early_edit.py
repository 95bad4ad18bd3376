"""With live documents on, the page is editable from its GET before the service's document
arrives: a key typed then is kept (the page says "Unsaved changes" until the first sync),
joins the document with what another page changed meanwhile, and is saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in
from tests.e2e.test_live_together import editor_text, live, type_at_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

SCREENSHOT = "/tmp/cloudbook-live-early-edit.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_POOL_SIZE": "0"}


class HeldSocket:
    """The page's live socket with what the service sends held back until `release`."""

    def __init__(self) -> None:
        self.route: WebSocketRoute | None = None
        self.held: list[str | bytes] = []
        self.holding = True

    def __call__(self, ws: WebSocketRoute) -> None:
        self.route = ws
        server = ws.connect_to_server()
        server.on_message(self._from_service)

    def _from_service(self, message: str | bytes) -> None:
        if self.holding:
            self.held.append(message)
        elif self.route is not None:
            self.route.send(message)

    def release_when_held(self, page: Page) -> None:
        """Waits until the service's first message is held here (the page is still
        without its document), then lets everything through."""
        for _ in range(200):  # playwright delivers the route's messages as the page waits
            if self.held:
                break
            page.wait_for_timeout(50)
        assert self.route is not None and self.held, "the service sent nothing"
        self.release()

    def release(self) -> None:
        assert self.route is not None
        self.holding = False
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def test_a_key_typed_before_the_first_sync_is_kept_and_saved(
    page: Page, context: BrowserContext, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "early.ipynb", [code_cell("x = 1"), code_cell("y = 2")])
    url = f"{cloudbook_server.base}/notebooks/{nb_id}"
    socket = HeldSocket()
    page.route_web_socket("**/live", socket)
    page.goto(url)
    state = page.get_by_test_id("save-state")
    expect(page.get_by_test_id("cell")).to_have_count(2)
    page.wait_for_function("() => document.querySelector('.cm-content') !== null")

    # Typed while the service's document has not reached the page.
    type_at_end(page, 0, "  # early")
    expect(state).to_have_text("Unsaved changes")
    expect(state).to_have_attribute("data-state", "unsaved")
    expect(state).not_to_have_attribute("data-synced", "true")

    # Meanwhile another page changes the other cell in the service's document.
    other = context.new_page()
    other.goto(url)
    live(other)
    type_at_end(other, 1, "  # other")
    assert socket.route is not None and socket.held  # the first page is still waiting

    socket.release()
    live(page)
    expect(state).to_have_text("Saved")
    assert editor_text(page, 0) == "x = 1  # early"
    expect(page.get_by_test_id("cell").nth(1).locator(".cm-content")).to_contain_text("# other")
    expect(other.get_by_test_id("cell").nth(0).locator(".cm-content")).to_contain_text("# early")
    page.screenshot(path=SCREENSHOT)

    page.keyboard.press("Control+s")
    expect(state).to_have_text("Saved and pinned")
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["x = 1  # early", "y = 2  # other"]


def test_a_cell_inserted_before_the_first_sync_keeps_the_keyboard(
    page: Page, cloudbook_server: Served
) -> None:
    """Ctrl+M B and typing while the document is still on its way (CI caught this on a busy
    machine): when it arrives, the new cell stays in place, current and in edit mode, and
    what is typed next goes on into it."""
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "early-insert.ipynb", [code_cell("a = 1"), code_cell("b = 2")])
    socket = HeldSocket()
    page.route_web_socket("**/live", socket)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(2)
    cells.nth(0).locator(".cm-content").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+m")
    page.keyboard.press("b")
    page.keyboard.insert_text("x = 9")
    expect(cells).to_have_count(3)
    expect(cells.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    socket.release_when_held(page)
    live(page)
    expect(cells).to_have_count(3)
    expect(cells.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(cells.nth(1).locator(".cm-content")).to_be_focused()
    page.keyboard.insert_text("1")
    assert [editor_text(page, i) for i in range(3)] == ["a = 1", "x = 91", "b = 2"]
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved and pinned")
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert [c["source"] for c in saved] == ["a = 1", "x = 91", "b = 2"]
