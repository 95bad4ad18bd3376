"""With live documents on, what leaves the notebook (Save a copy in GitHub, in Drive, as
a Gist) holds what the page shows, though the service saves the file only after its save
delay (here ten minutes, so the file surely lags): each route saves the document first,
and the page's flush waits until the service has its edits (FLUSHED, docs/live.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in, serve_against_git_bridge
from tests.e2e.test_file_menu import file_menu
from tests.e2e.test_github import long_notebook
from tests.e2e.test_github import (
    test_save_a_copy_in_github_from_the_file_menu as test_save_a_copy_in_github_live,
)
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

__all__ = ["test_save_a_copy_in_github_live"]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_LIVE_SAVE_DELAY": "600"}


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[GitBridge]:
    b = GitBridge(tmp_path / "repos", tokens={TOKEN})
    b.start()
    b.create_repo(
        "octo/demo",
        {"notebooks/demo.ipynb": notebook_bytes(), "long.ipynb": long_notebook()},
    )
    yield b
    b.stop()


@pytest.fixture
def served(
    bridge: GitBridge, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Served:
    return serve_against_git_bridge(bridge.base_url, monkeypatch, request)


def type_at_end(page: Page, text: str) -> None:
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)


def test_copies_in_drive_and_as_a_gist_hold_what_was_just_typed(
    page: Page, served: Served, bridge: GitBridge
) -> None:
    log_in(page, served)
    nb_id = create_notebook(page, "work.ipynb", [code_cell("x = 1")])
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-synced", "true")

    type_at_end(page, "  # typed just now")
    with page.context.expect_page() as opened:
        file_menu(page, "Save a copy in Drive")
    copy = opened.value
    expect(copy.get_by_test_id("notebook-name")).to_have_text("Copy of work.ipynb")
    expect(copy.get_by_test_id("cell").nth(0)).to_contain_text("x = 1  # typed just now")
    copy.close()

    type_at_end(page, "  # and this")
    file_menu(page, "Save a copy as a GitHub Gist")
    page.get_by_test_id("github-token").fill(TOKEN)
    page.get_by_test_id("github-token-store").click()
    expect(page.get_by_test_id("github-token-state")).to_contain_text("A token is stored")
    page.get_by_test_id("gist-save").click()
    expect(page.get_by_test_id("gist-status")).to_contain_text("Saved:")
    (gist,) = bridge.gists.values()
    saved = json.loads(gist["files"]["work.ipynb"]["content"])  # type: ignore[index]
    assert saved["cells"][0]["source"] == "x = 1  # typed just now  # and this"
