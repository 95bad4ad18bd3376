"""The notebook's File menu items no other browser test drives (New, Upload notebook,
Move, Save a copy in Drive, Save a copy as a GitHub Gist), and the home page's sort
order and Recent view, as a user uses them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import (
    code_cell,
    create_notebook,
    fetch_notebook,
    log_in,
    serve_against_git_bridge,
)
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[GitBridge]:
    b = GitBridge(tmp_path / "repos", tokens={TOKEN})
    b.start()
    yield b
    b.stop()


@pytest.fixture
def served(
    bridge: GitBridge, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Served:
    return serve_against_git_bridge(bridge.base_url, monkeypatch, request)


def api_post(page: Page, path: str, body: dict[str, Any]) -> Any:
    return page.evaluate(
        """async ([path, body]) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch(path, {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify(body)});
            return await r.json();
        }""",
        [path, body],
    )


def file_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def drive_names(page: Page) -> list[str]:
    text = page.evaluate("async () => await (await fetch('/api/notebooks')).text()")
    return sorted(n["name"] for n in json.loads(text)["notebooks"])


def test_file_menu_new_move_copy_upload_and_gist(
    page: Page, served: Served, bridge: GitBridge, tmp_path: Path
) -> None:
    log_in(page, served)
    nb_id = create_notebook(page, "work.ipynb", [code_cell("print('work')")])
    api_post(page, "/api/folders", {"path": "Archive"})
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("notebook-name")).to_have_text("work.ipynb")

    # File → Move: into a folder; the drive has it there, same id.
    file_menu(page, "Move")
    page.locator('[data-testid="move-target"][data-folder="Archive"]').click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_role("alert").filter(has_text="Moved to Archive")).to_be_visible()
    assert fetch_notebook(page, nb_id)["name"] == "Archive/work.ipynb"

    # File → Save a copy in Drive: a second notebook opens in a new tab.
    with page.context.expect_page() as opened:
        file_menu(page, "Save a copy in Drive")
    copy = opened.value
    expect(copy.get_by_test_id("notebook-name")).to_have_text("Copy of work.ipynb")
    expect(copy.get_by_test_id("cell").nth(0)).to_contain_text("print('work')")
    copy.close()

    # File → New notebook: an empty Untitled notebook in a new tab.
    with page.context.expect_page() as opened:
        file_menu(page, "New notebook")
    fresh = opened.value
    expect(fresh.get_by_test_id("notebook-name")).to_have_text("Untitled0.ipynb")
    fresh.close()

    # File → Upload notebook: the uploaded file opens.
    upload = tmp_path / "uploaded.ipynb"
    upload.write_text(
        json.dumps(
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {},
                "cells": [{**code_cell("print('uploaded')"), "id": "u1"}],
            }
        )
    )
    with page.expect_file_chooser() as chooser:
        file_menu(page, "Upload notebook")
    chooser.value.set_files(str(upload))
    expect(page.get_by_test_id("notebook-name")).to_have_text("uploaded.ipynb")
    expect(page.get_by_test_id("cell").nth(0)).to_contain_text("print('uploaded')")
    assert drive_names(page) == [
        "Archive/Copy of work.ipynb",
        "Archive/work.ipynb",
        "Untitled0.ipynb",
        "uploaded.ipynb",
    ]

    # File → Save a copy as a GitHub Gist: the token, then a new gist holding the page.
    file_menu(page, "Save a copy as a GitHub Gist")
    page.get_by_test_id("github-token").fill(TOKEN)
    page.get_by_test_id("github-token-store").click()
    expect(page.get_by_test_id("github-token-state")).to_contain_text("A token is stored")
    page.get_by_test_id("gist-save").click()
    status = page.get_by_test_id("gist-status")
    expect(status).to_contain_text("Saved:")
    page.screenshot(path=str(tmp_path / "gist-dialog.png"))
    (gist,) = bridge.gists.values()
    saved = json.loads(gist["files"]["uploaded.ipynb"]["content"])  # type: ignore[index]
    assert saved["cells"][0]["source"] == "print('uploaded')"
    assert TOKEN not in (tmp_path / "serve.log").read_text()


def test_home_sorts_by_name_and_modified_and_shows_recent(page: Page, served: Served) -> None:
    log_in(page, served)
    ids = {name: create_notebook(page, name, []) for name in ("b.ipynb", "a10.ipynb", "a2.ipynb")}
    page.reload()
    links = page.get_by_test_id("notebook-link")
    # Newest first by default (as Drive); the name order is natural (a2 before a10).
    expect(links).to_have_text(["a2.ipynb", "a10.ipynb", "b.ipynb"])
    page.get_by_test_id("sort-name").click()
    expect(links).to_have_text(["a2.ipynb", "a10.ipynb", "b.ipynb"])
    page.get_by_test_id("sort-name").click()
    expect(links).to_have_text(["b.ipynb", "a10.ipynb", "a2.ipynb"])
    page.get_by_test_id("sort-modified").click()
    expect(links).to_have_text(["a2.ipynb", "a10.ipynb", "b.ipynb"])
    page.get_by_test_id("sort-modified").click()
    expect(links).to_have_text(["b.ipynb", "a10.ipynb", "a2.ipynb"])
    # The order is kept across visits.
    page.reload()
    expect(links).to_have_text(["b.ipynb", "a10.ipynb", "a2.ipynb"])

    # Opening the oldest puts it first in Recent.
    page.goto(f"{served.base}/notebooks/{ids['b.ipynb']}")
    expect(page.get_by_test_id("notebook-name")).to_have_text("b.ipynb")
    page.goto(served.base + "/")
    page.get_by_test_id("nav-recent").click()
    expect(links).to_have_text(["b.ipynb", "a2.ipynb", "a10.ipynb"])


def test_a_lost_push_race_offers_a_new_branch_and_loses_nothing(
    page: Page, served: Served, bridge: GitBridge
) -> None:
    bridge.create_repo("octo/demo", {"README.md": b"hi\n"})
    log_in(page, served)
    nb_id = create_notebook(page, "race.ipynb", [code_cell("mine = 1")])
    page.goto(f"{served.base}/notebooks/{nb_id}")
    file_menu(page, "Save a copy in GitHub")
    page.get_by_test_id("github-token").fill(TOKEN)
    page.get_by_test_id("github-token-store").click()
    expect(page.get_by_test_id("github-token-state")).to_contain_text("A token is stored")
    page.get_by_test_id("github-repo").fill("octo/demo")
    page.get_by_test_id("github-repo").dispatch_event("change")
    expect(page.get_by_test_id("github-branch").locator("option").first).to_have_text("main")
    page.get_by_test_id("github-path").fill("race.ipynb")
    # Someone else pushes to main between our fetch and our push.
    theirs: list[str] = []
    bridge.before_push = lambda _: theirs.append(
        bridge.commit("octo/demo", "main", {"theirs.txt": b"their work"}, "their push")
    )
    page.get_by_test_id("github-save").click()
    status = page.get_by_test_id("github-status")
    expect(status).to_contain_text("new branch")
    assert bridge.head("octo/demo", "main") == theirs[0]  # theirs stands
    page.get_by_test_id("github-save-new-branch").click()
    expect(status).to_contain_text("Saved to octo/demo @ main-cloudbook-")
    (mine,) = [b for b in bridge.branch_names("octo/demo") if b.startswith("main-cloudbook-")]
    assert bridge.parents("octo/demo", mine) == [theirs[0]]
    saved = json.loads(bridge.read("octo/demo", mine, "race.ipynb"))
    assert saved["cells"][-1]["source"] == "mine = 1"
    assert bridge.read("octo/demo", mine, "theirs.txt") == b"their work"
