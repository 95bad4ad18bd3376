"""Two pages apart for a while (the network between one page and the service holds every
message both ways, as a dead link does), then together again: what both did merges."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in
from tests.e2e.test_live_together import CODE_OF, editor_text, type_at_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_POOL_SIZE": "0"}


class Partition:
    """The page's live WebSocket, passed through Playwright; `cut` holds its messages."""

    def __init__(self) -> None:
        self.cut = False
        self.held: list[tuple[Any, bytes | str]] = []
        self.links: list[tuple[Any, Any]] = []

    def route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        self.links.append((ws, server))
        ws.on_message(lambda m: self._pass(server, m))
        server.on_message(lambda m: self._pass(ws, m))

    def _pass(self, to: Any, message: bytes | str) -> None:
        if self.cut:
            self.held.append((to, message))
        else:
            to.send(message)

    def heal(self) -> None:
        self.cut = False
        held, self.held = self.held, []
        for to, message in held:
            to.send(message)


def wait_code(page: Page, index: int, code: str) -> None:
    """Until the cell's code (other pages' cursor labels left out) is `code`."""
    page.wait_for_function(
        f"([i, code]) => ({CODE_OF})(document.querySelectorAll("
        "'[data-testid=cell] .cm-content')[i]) === code",
        arg=[index, code],
    )


def two_pages(page: Page, served: Served, cells: list[dict[str, Any]]) -> tuple[Page, Partition]:
    log_in(page, served)
    nb_id = create_notebook(page, "apart.ipynb", cells)
    url = f"{served.base}/notebooks/{nb_id}"
    other = page.context.new_page()
    partition = Partition()
    other.route_web_socket("**/live", partition.route)
    page.goto(url)
    other.goto(url)
    for p in (page, other):
        expect(p.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")
    return other, partition


def test_typing_while_apart_merges_when_together_again(
    page: Page, cloudbook_server: Served
) -> None:
    other, partition = two_pages(page, cloudbook_server, [code_cell("a = 1"), code_cell("b = 2")])
    partition.cut = True
    type_at_end(other, 0, "  # typed apart")
    type_at_end(page, 1, "  # typed here")
    expect(page.get_by_test_id("cell").nth(0)).not_to_contain_text("apart")
    expect(other.get_by_test_id("cell").nth(1)).not_to_contain_text("here")
    partition.heal()
    for p in (page, other):
        wait_code(p, 0, "a = 1  # typed apart")
        wait_code(p, 1, "b = 2  # typed here")


def test_a_cell_moved_in_one_page_while_edited_in_the_other_keeps_both(
    page: Page, cloudbook_server: Served
) -> None:
    cells = [code_cell("first = 1"), code_cell("second = 2")]
    other, partition = two_pages(page, cloudbook_server, cells)
    partition.cut = True
    type_at_end(other, 0, "  # edited while moved")
    # This page moves the first cell below the second (its toolbar's "move down").
    page.get_by_test_id("cell").nth(0).click()
    page.get_by_test_id("cell").nth(0).get_by_title("Move cell down").click()
    expect(page.get_by_test_id("cell").nth(1)).to_contain_text("first = 1")
    partition.heal()
    for p in (page, other):
        wait_code(p, 0, "second = 2")
        wait_code(p, 1, "first = 1  # edited while moved")
    assert editor_text(page, 1) == editor_text(other, 1)
