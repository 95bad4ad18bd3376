"""Open from GitHub and Save a copy in GitHub, as a user would, against a loopback
GitHub (tests/github/bridge.py: real git http-backend + a small REST fake)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook, log_in, serve_against_git_bridge
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

DEMO = "/github/octo/demo/blob/main/notebooks/demo.ipynb"


def long_notebook() -> bytes:
    cells = [
        {
            "cell_type": "markdown",
            "id": f"cell{i}",
            "metadata": {},
            "source": f"## Part {i}\n\n" + "text\n\n" * 8,
        }
        for i in range(40)
    ]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


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


def test_open_from_github_run_and_save_to_drive(page: Page, served: Served) -> None:
    log_in(page, served)
    page.goto(served.base + DEMO)
    notice = page.get_by_test_id("scratch-notice")
    expect(notice).to_contain_text("This notebook is a copy from GitHub; changes are not saved")
    expect(page.get_by_test_id("notebook-name")).to_have_text("demo.ipynb")
    cell = page.get_by_test_id("cell").nth(1)
    expect(cell.locator(".cm-line").first).to_have_text("print('hello from github')")
    # A scratch copy runs.
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(cell.get_by_test_id("outputs")).to_contain_text("hello from github", timeout=60_000)
    page.screenshot(path="/tmp/cloudbook-github-scratch.png")

    # A reload shows the file as on GitHub again (nothing was saved) but keeps the
    # runtime of this tab's copy.
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("kept = 41 + 1")
    page.keyboard.press("Control+Enter")
    expect(cell.get_by_test_id("execution-count")).to_contain_text("2", timeout=60_000)
    expect(page.get_by_test_id("save-state")).to_have_text("Changes not saved")
    page.reload()
    expect(cell.locator(".cm-line").first).to_have_text("print('hello from github')")
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("print(kept)")
    page.keyboard.press("Control+Enter")
    expect(cell.get_by_test_id("outputs")).to_contain_text("42", timeout=60_000)

    page.get_by_test_id("scratch-save-drive").click()
    page.wait_for_url("**/notebooks/*")
    # The drive copy's page replaces the scratch page (its notice goes).
    expect(page.get_by_test_id("scratch-notice")).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("notebook-name")).to_have_text("demo.ipynb")
    notebook_id = page.url.rsplit("/", 1)[1]
    saved = fetch_notebook(page, notebook_id)
    assert saved["name"] == "demo.ipynb"
    # The drive copy holds the page as it was: the edit and its output.
    assert saved["content"]["cells"][1]["source"] == "print(kept)"
    assert "42" in json.dumps(saved["content"]["cells"][1]["outputs"])


def test_colab_link_scrolls_to_the_cell(page: Page, served: Served) -> None:
    log_in(page, served)
    # A Colab link with only its host replaced.
    page.goto(served.base + "/github/octo/demo/blob/main/long.ipynb#scrollTo=cell30")
    target = page.get_by_test_id("cell").nth(30)
    expect(target).to_contain_text("Part 30")
    expect(target).to_be_in_viewport()
    expect(page.get_by_test_id("cell").nth(0)).not_to_be_in_viewport()


def test_save_a_copy_in_github_from_the_file_menu(
    page: Page, served: Served, bridge: GitBridge, tmp_path: Path
) -> None:
    log_in(page, served)
    page.get_by_test_id("new-notebook").click(timeout=30_000)
    expect(page.get_by_test_id("notebook-name")).to_have_text("Untitled0.ipynb", timeout=30_000)
    page.get_by_test_id("cell").nth(0).locator(".cm-content").click()
    page.keyboard.insert_text("answer = 42")
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Save a copy in GitHub").click()
    page.get_by_test_id("github-token").fill(TOKEN)
    page.get_by_test_id("github-token-store").click()
    expect(page.get_by_test_id("github-token-state")).to_contain_text("A token is stored")
    # The repositories the token's user works on are offered to pick (a datalist).
    picks = page.get_by_test_id("github-repo-picks").locator("option")
    expect(picks).to_have_count(1)
    expect(picks.first).to_have_attribute("value", "octo/demo")
    expect(page.get_by_test_id("github-repo")).to_have_attribute("list", "github-repo-picks")
    page.get_by_test_id("github-repo").fill("octo/demo")
    page.get_by_test_id("github-repo").dispatch_event("change")
    expect(page.get_by_test_id("github-branch").locator("option").first).to_have_text("main")
    page.get_by_test_id("github-path").fill("from-ui/answer.ipynb")
    page.screenshot(path="/tmp/cloudbook-github-save.png")
    page.get_by_test_id("github-save").click()
    expect(page.get_by_test_id("github-status")).to_contain_text("Saved to octo/demo @ main")
    saved = json.loads(bridge.read("octo/demo", "main", "from-ui/answer.ipynb"))
    assert "badge.svg" in "".join(saved["cells"][0]["source"])
    assert "".join(saved["cells"][1]["source"]) == "answer = 42"
    assert bridge.log("octo/demo", "main")[0] == "Created using cloudbook"
    # The token is in no field of the page and in no line the service logged.
    expect(page.get_by_test_id("github-token")).to_have_value("")
    assert TOKEN not in (tmp_path / "serve.log").read_text()
    # Esc closes the dialog, as every dialog of the page.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Save a copy in GitHub")).to_have_count(0)


def test_browse_a_repository_and_make_a_link(page: Page, served: Served, bridge: GitBridge) -> None:
    bridge.commit("octo/demo", "dev", {"lab/exp.ipynb": notebook_bytes("print('dev')")}, "dev")
    log_in(page, served)
    page.goto(served.base + "/github/octo")
    page.get_by_test_id("github-repo-link").filter(has_text="demo").click()
    links = page.get_by_test_id("github-notebook-link")
    expect(links).to_have_text(["long.ipynb", "demo.ipynb"])
    page.get_by_test_id("github-browse-branch").select_option("dev")
    expect(links).to_have_text(["exp.ipynb"])
    links.first.click()
    expect(page.get_by_test_id("scratch-notice")).to_be_visible()
    expect(page.get_by_test_id("cell").nth(1)).to_contain_text("print('dev')")

    page.goto(served.base + "/github")
    page.get_by_test_id("link-input").fill(
        "https://colab.research.google.com/github/octo/demo/blob/main/long.ipynb#scrollTo=cell3"
    )
    output = page.get_by_test_id("link-output")
    expect(output).to_have_text(
        served.base + "/github/octo/demo/blob/main/long.ipynb#scrollTo=cell3"
    )
    expect(page.get_by_test_id("link-badge")).to_contain_text("/assets/badge.svg")

    # The Open dialog's GitHub tab (also on this page): search a repository, open one.
    page.get_by_test_id("open-github-input").fill("octo/demo")
    page.get_by_test_id("open-github-input").press("Enter")
    results = page.get_by_test_id("open-github-results").get_by_role("button")
    expect(results).to_have_text(["long.ipynb", "notebooks/demo.ipynb"])
    page.screenshot(path="/tmp/cloudbook-github-link.png")
    results.nth(1).click()
    expect(page.get_by_test_id("scratch-notice")).to_be_visible()
    expect(page.get_by_test_id("notebook-name")).to_have_text("demo.ipynb")
