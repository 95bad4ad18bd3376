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
    b.groups.add("octo/team")
    b.create_repo("octo/team/models", {"train.ipynb": notebook_bytes("print('from a subgroup')")})
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


def test_gitlab_labels_and_a_subgroup_project(
    page: Page, served: Served, bridge: GitBridge, tmp_path: Path
) -> None:
    """The page names the host it talks to, and a subgroup's project opens and saves."""
    log_in(page, served)
    page.goto(served.base + "/github")
    expect(page.get_by_role("heading", name="Open a notebook from GitLab")).to_be_visible()
    expect(page.get_by_role("heading", name="Find notebooks on GitLab")).to_be_visible()
    page.get_by_label("GitLab or Colab link").fill(
        f"{bridge.base_url}/git/octo/team/models/-/blob/main/train.ipynb"
    )
    output = page.get_by_test_id("link-output")
    expect(output).to_have_text(served.base + "/github/octo~team/models/blob/main/train.ipynb")
    # Typed as GitLab names it: group/sub/project.
    page.get_by_test_id("open-github-input").fill("octo/team/models")
    page.get_by_test_id("open-github-input").press("Enter")
    results = page.get_by_test_id("open-github-results").get_by_role("button")
    expect(results).to_have_text(["train.ipynb"])
    results.first.click()
    notice = page.get_by_test_id("scratch-notice")
    expect(notice).to_contain_text("This notebook is a copy from GitLab")
    expect(page.get_by_test_id("cell").nth(1)).to_contain_text("print('from a subgroup')")
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Save a copy in GitLab", exact=True).click()
    expect(page.get_by_role("heading", name="Save a copy in GitLab")).to_be_visible()
    # The copy goes back where it came from, shown as GitLab names the project.
    expect(page.get_by_test_id("github-repo")).to_have_value("octo/team/models")
    page.get_by_test_id("github-token").fill(TOKEN)
    page.get_by_test_id("github-token-store").click()
    expect(page.get_by_test_id("github-token-state")).to_contain_text("A token is stored")
    expect(page.get_by_test_id("github-branch")).to_have_value("main")
    expect(page.get_by_test_id("github-status")).to_have_text("")  # the branches were read
    page.screenshot(path=str(tmp_path / "gitlab-save-dialog.png"))
    page.get_by_test_id("github-save").click()
    saved = page.get_by_test_id("github-saved-link")
    expect(saved).to_have_attribute(
        "href", f"{bridge.base_url}/git/octo/team/models/-/blob/main/train.ipynb"
    )
    assert len(bridge.log("octo/team/models", "main")) == 2
    page.get_by_role("button", name="Cancel").click()
    # The Open dialog's tab names the host too.
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Open notebook").click()
    tab = page.get_by_test_id("open-tab-github")
    expect(tab).to_have_text("GitLab")
    tab.click()
    expect(page.get_by_label("Open from a GitLab URL")).to_have_attribute(
        "placeholder",  # the example names the configured host (https: only tests use http)
        bridge.base_url.replace("http:", "https:") + "/git/owner/repo/-/blob/main/notebook.ipynb",
    )
    page.screenshot(path=str(tmp_path / "gitlab-open-dialog.png"))
