"""GitLab and Gitea by configured base URL (CLOUDBOOK_GIT_HOST_KIND): the same routes and
pages, content over the real git bridge, listings and gists through each host's REST
shape (small fakes in tests/github/fake_hosts.py, paging with two items a page)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cloudbook.settings import Settings
from tests.conftest import AppHarness
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

DEMO = "/github/octo/demo/blob/main/notebooks/demo.ipynb"
# Each host's own web link to the demo notebook (relative to the git base URL).
HOST_LINK = {
    "gitlab": "/octo/demo/-/blob/main/notebooks/demo.ipynb",
    "gitea": "/octo/demo/src/branch/main/notebooks/demo.ipynb",
}


@pytest.fixture(params=["gitlab", "gitea"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, bridge: GitBridge, kind: str) -> Settings:
    api = {"gitlab": "/gitlab/api/v4", "gitea": "/gitea/api/v1"}[kind]
    return settings.model_copy(
        update={"git_host_kind": kind, "git_api_url": f"{bridge.base_url}{api}"}
    )


async def test_open_by_the_hosts_own_links(
    harness: AppHarness, bridge: GitBridge, kind: str
) -> None:
    alice = await harness.user("alice")
    # What the page reads the host's links by.
    host = (await alice.get("/api/github/host")).json()
    assert host == {
        "kind": kind,
        "host": bridge.base_url.split("://", 1)[1],
        "prefix": "/git",
        "gists": {"gitlab": "Snippet", "gitea": ""}[kind],
    }
    assert (await harness.anonymous().get("/api/github/host")).status_code == 401
    for url in (
        DEMO,
        f"{bridge.base_url}/git{HOST_LINK[kind]}#scrollTo=code1",
        "https://colab.research.google.com" + DEMO,
    ):
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 200, (url, r.text)
        assert r.json()["source"] == DEMO
        assert r.json()["content"]["cells"][1]["source"] == "print('hello from github')"
    assert r.json()["scroll_to"] is None
    r = await alice.get(
        "/api/github/open", params={"url": f"{bridge.base_url}/git{HOST_LINK[kind]}#scrollTo=code1"}
    )
    assert r.json()["scroll_to"] == "code1"


async def test_private_repo_and_wrong_token(
    harness: AppHarness, bridge: GitBridge, kind: str
) -> None:
    alice = await harness.user("alice")
    url = "/github/octo/secret/blob/main/private.ipynb"
    assert (await alice.get("/api/github/open", params={"url": url})).status_code == 404
    await alice.put("/api/me/credentials/github", json={"token": "wrong"})
    for r in (
        await alice.get("/api/github/open", params={"url": url}),
        await alice.get("/api/github/repos/octo"),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "git_auth_failed"
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    r = await alice.get("/api/github/open", params={"url": url})
    assert r.status_code == 200, r.text
    assert r.json()["content"]["cells"][1]["source"] == "print(42)"
    # GitLab's documented git user name for tokens; the others take any.
    assert bridge.basic_users == {"oauth2" if kind == "gitlab" else "x-access-token"}


async def test_browse_groups_users_branches_and_paged_trees(
    harness: AppHarness, bridge: GitBridge
) -> None:
    many = {f"nb{i}/n.ipynb": notebook_bytes(str(i)) for i in range(5)}
    bridge.commit("octo/demo", "dev", {**many, "README.md": b"x"}, "dev branch")
    bridge.create_repo("alice/one", {"a.ipynb": notebook_bytes()})
    bridge.create_repo("alice/two", {"b.ipynb": notebook_bytes()}, branch="trunk")
    alice = await harness.user("alice")

    r = await alice.get("/api/github/repos/octo")  # a group / an organisation
    assert r.status_code == 200, r.text
    assert [x["name"] for x in r.json()["repos"]] == ["demo", "empty"]  # private one hidden
    r = await alice.get("/api/github/repos/alice")  # a user
    assert r.json()["repos"] == [
        {"name": "one", "private": False, "default_branch": "main"},
        {"name": "two", "private": False, "default_branch": "trunk"},
    ]
    r = await alice.get("/api/github/repos/octo/demo", params={"ref": "dev"})
    assert r.json() == {
        "default_branch": "main",
        "branch": "dev",
        "branches": ["dev", "main"],
        "notebooks": sorted(many),  # 5 notebooks, a README, 5 folders: six pages
    }
    r = await alice.get("/api/github/repos/octo/empty")
    assert r.json() == {"default_branch": "main", "branch": "main", "branches": [], "notebooks": []}
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    r = await alice.get("/api/github/repos/octo")
    assert [x["name"] for x in r.json()["repos"]] == ["demo", "empty", "secret"]
    assert r.json()["repos"][2]["private"] is True
    # What Save a copy in GitHub offers to pick (paged: five projects, two a page).
    r = await alice.get("/api/github/my-repos")
    assert r.json()["repos"] == [
        "alice/one",
        "alice/two",
        "octo/demo",
        "octo/empty",
        "octo/secret",
    ]
    missing = await alice.get("/api/github/repos/nobody")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "git_not_found"


async def test_save_a_copy_answers_the_hosts_link(
    harness: AppHarness, bridge: GitBridge, kind: str
) -> None:
    alice = await harness.user("alice")
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    nb = json.loads(notebook_bytes("print('saved')"))
    created = (await alice.post("/api/notebooks", json={"name": "s.ipynb", "content": nb})).json()
    r = await alice.post(
        f"/api/notebooks/{created['id']}/github",
        json={"repo": "octo/demo", "branch": "main", "path": "out/s.ipynb", "message": "m"},
    )
    assert r.status_code == 200, r.text
    web = {
        "gitlab": "/octo/demo/-/blob/main/out/s.ipynb",
        "gitea": "/octo/demo/src/branch/main/out/s.ipynb",
    }
    assert r.json()["url"] == f"{bridge.base_url}/git{web[kind]}"
    assert bridge.head("octo/demo", "main") == r.json()["commit"]
    saved = json.loads(bridge.read("octo/demo", "main", "out/s.ipynb"))
    assert saved["cells"][-1]["source"] == "print('saved')"
    # The badge cell opens the saved file on this service.
    assert "/github/octo/demo/blob/main/out/s.ipynb" in saved["cells"][0]["source"]
    # The file the page links to opens again through that host's link form.
    r = await alice.get("/api/github/open", params={"url": f"{bridge.base_url}/git{web[kind]}"})
    assert r.status_code == 200 and r.json()["source"] == "/github/octo/demo/blob/main/out/s.ipynb"


async def test_gists_are_gitlab_snippets_and_refused_on_gitea(
    harness: AppHarness, bridge: GitBridge, kind: str, git_calls: Callable[[], int]
) -> None:
    alice = await harness.user("alice")
    nb = json.loads(notebook_bytes("print('gist')"))
    created = (await alice.post("/api/notebooks", json={"name": "g.ipynb", "content": nb})).json()
    no_token = await alice.post(f"/api/notebooks/{created['id']}/gist", json={})
    assert no_token.status_code == 400
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    r = await alice.post(f"/api/notebooks/{created['id']}/gist", json={"description": "d"})
    if kind == "gitea":
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "gists_unsupported"
        opened = await alice.get("/api/github/open", params={"url": "/gist/alice/1"})
        assert opened.json()["error"]["code"] == "gists_unsupported"
        assert git_calls() == 0
        return
    assert r.status_code == 200, r.text
    sid = r.json()["id"]
    assert r.json()["url"] == f"{bridge.base_url}/-/snippets/{sid}"
    assert bridge.snippets[sid]["visibility"] == "private"
    # Updating it replaces the file; the snippet opens at /gist/{user}/{id} with the token.
    nb["cells"][1]["source"] = "print('gist v2')"
    saved = await alice.put(
        f"/api/notebooks/{created['id']}", json={"content": nb, "base_revision": 1}
    )
    assert saved.status_code == 200, saved.text
    r = await alice.post(f"/api/notebooks/{created['id']}/gist", json={"gist_id": sid})
    assert r.status_code == 200, r.text
    assert list(bridge.snippets[sid]["files"]) == ["g.ipynb"]
    opened = await alice.get("/api/github/open", params={"url": f"/gist/alice/{sid}"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["name"] == "g.ipynb"
    assert opened.json()["content"]["cells"][1]["source"] == "print('gist v2')"
    bob = await harness.user("bob")  # private snippet, no token
    assert (
        await bob.get("/api/github/open", params={"url": f"/gist/alice/{sid}"})
    ).status_code == 404


async def test_hostile_links_and_names_reach_neither_git_nor_the_api(
    harness: AppHarness, bridge: GitBridge, git_calls: Callable[[], int]
) -> None:
    alice = await harness.user("alice")
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    base = f"{bridge.base_url}/git"
    bridge.rest_calls.clear()
    for url in (
        f"{base}/octo/demo/-/blob/--upload-pack=x/a.ipynb",
        f"{base}/octo/demo/-/blob/main/..%2F..%2Fetc/passwd.ipynb",
        f"{base}/octo/demo/src/branch/main..x/a.ipynb",
        f"{base}/-x/demo/src/commit/abc/a.ipynb",
        f"{base}/octo/demo/-/raw/main/a.ipynb",
        "https://user:pw@" + base.split("://", 1)[1] + "/octo/demo/-/blob/main/a.ipynb",
        "/gist/alice/1%2F..%2F..%2Fusers",
    ):
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 400, (url, r.text)
    # A GitLab project path is one URL-encoded segment: '/' or '%2F' in an owner never
    # reaches it (it would name another API path).
    for owner in ("octo%2F..%2Fusers", "a..b", "-x"):
        r = await alice.get(f"/api/github/repos/{owner}/demo")
        assert r.status_code in (400, 404), owner
        assert r.json()["error"]["code"] in ("invalid_git_name", "not_found"), owner
    assert git_calls() == 0
    assert bridge.rest_calls == []
