"""GitLab projects in subgroups (``group/sub/project``): opened by GitLab's own links and
by the service's ``/github/group~sub/project/...`` paths, browsed, and saved to, over the
real git bridge and GitLab's REST shape (tests/github/fake_hosts.py). Hostile namespace
paths are refused before any git process starts or any API is asked."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cloudbook.settings import Settings
from tests.conftest import AppHarness
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

PAGE = "/github/octo~team~ml/models/blob/main/nb/train.ipynb"


@pytest.fixture
def settings(settings: Settings, bridge: GitBridge) -> Settings:
    bridge.groups |= {"octo/team", "octo/team/ml"}
    bridge.create_repo(
        "octo/team/ml/models", {"nb/train.ipynb": notebook_bytes("print('from a subgroup')")}
    )
    return settings.model_copy(
        update={"git_host_kind": "gitlab", "git_api_url": f"{bridge.base_url}/gitlab/api/v4"}
    )


async def test_open_a_subgroup_project_by_every_link_form(
    harness: AppHarness, bridge: GitBridge
) -> None:
    alice = await harness.user("alice")
    gitlab_link = f"{bridge.base_url}/git/octo/team/ml/models/-/blob/main/nb/train.ipynb"
    for url in (
        gitlab_link,
        gitlab_link + "#scrollTo=code1",
        PAGE,
        "https://colab.research.google.com" + PAGE,
    ):
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 200, (url, r.text)
        assert r.json()["source"] == PAGE
        assert r.json()["content"]["cells"][1]["source"] == "print('from a subgroup')"
    imported = await alice.post("/api/notebooks/import", json={"url": gitlab_link})
    assert imported.status_code == 201, imported.text
    assert imported.json()["name"] == "train.ipynb"
    # Top-level projects keep their plain paths.
    r = await alice.get(
        "/api/github/open",
        params={"url": f"{bridge.base_url}/git/octo/demo/-/blob/main/notebooks/demo.ipynb"},
    )
    assert r.json()["source"] == "/github/octo/demo/blob/main/notebooks/demo.ipynb"


async def test_browse_subgroups(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await harness.user("alice")
    r = await alice.get("/api/github/repos/octo~team~ml")
    assert r.status_code == 200, r.text
    assert r.json()["repos"] == [{"name": "models", "private": False, "default_branch": "main"}]
    r = await alice.get("/api/github/repos/octo~team~ml/models")
    assert r.status_code == 200, r.text
    assert r.json()["notebooks"] == ["nb/train.ipynb"]
    assert r.json()["branches"] == ["main"]
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    assert "octo/team/ml/models" in (await alice.get("/api/github/my-repos")).json()["repos"]


async def test_save_a_copy_into_a_subgroup_project(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await harness.user("alice")
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    nb = json.loads(notebook_bytes("print('saved to a subgroup')"))
    created = (await alice.post("/api/notebooks", json={"name": "s.ipynb", "content": nb})).json()
    # As typed in the dialog (group/sub/project) and as a page path names it (group~sub).
    for repo, branch in (("octo/team/ml/models", "main"), ("octo~team~ml/models", "exp")):
        r = await alice.post(
            f"/api/notebooks/{created['id']}/github",
            json={
                "repo": repo,
                "branch": branch,
                "path": "out/s.ipynb",
                "message": "m",
                "include_link": True,
                "new_branch_from": "default" if branch == "exp" else None,
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["url"] == (
            f"{bridge.base_url}/git/octo/team/ml/models/-/blob/{branch}/out/s.ipynb"
        )
        assert bridge.head("octo/team/ml/models", branch) == r.json()["commit"]
        saved = json.loads(bridge.read("octo/team/ml/models", branch, "out/s.ipynb"))
        assert saved["cells"][-1]["source"] == "print('saved to a subgroup')"
        # The badge opens the saved file on this service again.
        page = f"/github/octo~team~ml/models/blob/{branch}/out/s.ipynb"
        assert page in saved["cells"][0]["source"]
        again = await alice.get("/api/github/open", params={"url": page})
        assert again.status_code == 200, again.text
        assert again.json()["content"]["cells"][-1]["source"] == "print('saved to a subgroup')"


HOSTILE_NAMESPACES = ["a/../b", "a//b", "-x/y", "a/./b", "a/-x", "/a", "a/", "a/b c"]


async def test_hostile_namespace_paths_reach_neither_git_nor_the_api(
    harness: AppHarness, bridge: GitBridge, git_calls: Callable[[], int]
) -> None:
    alice = await harness.user("alice")
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    nb = json.loads(notebook_bytes())
    created = (await alice.post("/api/notebooks", json={"name": "h.ipynb", "content": nb})).json()
    base = f"{bridge.base_url}/git"
    bridge.rest_calls.clear()
    for ns in HOSTILE_NAMESPACES:
        tilde = ns.replace("/", "~")
        for url in (
            f"{base}/{ns}/models/-/blob/main/a.ipynb",
            f"/github/{tilde}/models/blob/main/a.ipynb",
            f"https://colab.research.google.com/github/{tilde}/models/blob/main/a.ipynb",
        ):
            r = await alice.get("/api/github/open", params={"url": url})
            assert r.status_code == 400, (url, r.text)
        r = await alice.get(f"/api/github/repos/{tilde}")
        assert r.status_code in (400, 404), (ns, r.text)
        r = await alice.get(f"/api/github/repos/{tilde}/models")
        assert r.status_code in (400, 404), (ns, r.text)
        r = await alice.post(
            f"/api/notebooks/{created['id']}/github",
            json={"repo": f"{ns}/models", "branch": "main", "path": "x.ipynb"},
        )
        assert r.status_code == 400, (ns, r.text)
        assert r.json()["error"]["code"] == "invalid_git_name", ns
    # '%2F' inside a segment never stands for a namespace separator.
    r = await alice.get(
        "/api/github/open", params={"url": f"{base}/octo%2F..%2Fx/models/-/blob/main/a.ipynb"}
    )
    assert r.status_code == 400
    assert git_calls() == 0
    assert bridge.rest_calls == []
