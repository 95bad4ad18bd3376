"""A GitLab deployment (CLOUDBOOK_GIT_HOST_KIND=gitlab) used as on GitHub: the pages are
the same, the host's own links (…/-/blob/…) are read, browsing goes through GitLab's
REST shape (tests/github/fake_hosts.py) and content through the real git bridge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import log_in, serve_against_git_bridge
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[GitBridge]:
    b = GitBridge(tmp_path / "repos", tokens={TOKEN})
    b.start()
    b.create_repo("octo/demo", {"notebooks/demo.ipynb": notebook_bytes("print('from gitlab')")})
    yield b
    b.stop()


@pytest.fixture
def served(
    bridge: GitBridge, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Served:
    return serve_against_git_bridge(
        bridge.base_url, monkeypatch, request, "/gitlab/api/v4", "gitlab"
    )


def test_gitlab_links_browse_and_open(
    page: Page, served: Served, bridge: GitBridge, tmp_path: Path
) -> None:
    log_in(page, served)
    page.goto(served.base + "/github")
    gitlab_link = f"{bridge.base_url}/git/octo/demo/-/blob/main/notebooks/demo.ipynb"
    page.get_by_test_id("link-input").fill(gitlab_link + "#scrollTo=code1")
    output = page.get_by_test_id("link-output")
    expect(output).to_have_text(
        served.base + "/github/octo/demo/blob/main/notebooks/demo.ipynb#scrollTo=code1"
    )
    # The group's projects, then the project's notebooks, as on GitHub.
    page.get_by_test_id("open-github-input").fill(f"{bridge.base_url}/git/octo")
    page.get_by_test_id("open-github-input").press("Enter")
    results = page.get_by_test_id("open-github-results").get_by_role("button")
    expect(results).to_have_text(["octo/demo"])
    results.first.click()
    expect(results).to_have_text(["notebooks/demo.ipynb"])
    page.screenshot(path=str(tmp_path / "gitlab-link-page.png"))
    output.click()
    expect(page.get_by_test_id("scratch-notice")).to_be_visible()
    expect(page.get_by_test_id("cell").nth(1)).to_contain_text("print('from gitlab')")
