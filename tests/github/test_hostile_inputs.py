"""Every hostile input is refused with a clear error before any git process starts."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import AppHarness
from tests.github.conftest import TOKEN, notebook_bytes

HOSTILE = [
    "--upload-pack=touch /tmp/pwned",
    "-c core.sshCommand=touch /tmp/pwned",
    "ext::sh -c touch% /tmp/pwned",
    "file:///etc/passwd",
    "ssh://-oProxyCommand=touch /tmp/pwned/x",
    "http://169.254.169.254/latest/meta-data/",
    "https://user:pw@github.com/octo/demo/blob/main/x.ipynb",
]

HOSTILE_URLS = [
    *HOSTILE,
    "https://github.com/octo/demo/blob/--upload-pack=x/a.ipynb",
    "/github/octo/demo/blob/main/..%2F..%2Fetc/passwd.ipynb",
    "/github/-octo/demo/blob/main/a.ipynb",
    "https://colab.research.google.com/github/octo/demo/blob/main/-x.ipynb",
    "//169.254.169.254/github/o/r/blob/main/a.ipynb",
]


@pytest.fixture
async def alice(harness: AppHarness):  # type: ignore[no-untyped-def]
    user = await harness.user("alice")
    await user.put("/api/me/credentials/github", json={"token": TOKEN})
    return user


async def test_hostile_urls_start_no_git(alice, git_calls: Callable[[], int]) -> None:  # type: ignore[no-untyped-def]
    for url in HOSTILE_URLS:
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 400, (url, r.text)
        assert r.json()["error"]["code"] in ("invalid_url", "unsupported_url", "invalid_git_name")
        r = await alice.post("/api/notebooks/import", json={"url": url})
        assert r.status_code == 400, (url, r.text)
    assert git_calls() == 0
    assert (await alice.get("/api/notebooks")).json()["notebooks"] == []


async def test_hostile_save_fields_start_no_git(  # type: ignore[no-untyped-def]
    alice, git_calls: Callable[[], int]
) -> None:
    r = await alice.post(
        "/api/notebooks", json={"name": "n.ipynb", "content": json.loads(notebook_bytes())}
    )
    nb = r.json()["id"]
    good = {"repo": "octo/demo", "branch": "main", "path": "x.ipynb"}
    for bad in HOSTILE:
        for field, value in (
            ("repo", bad),
            ("repo", f"octo/{bad}"),
            ("branch", bad),
            ("path", bad if bad.endswith(".ipynb") else bad + ".ipynb"),
            ("new_branch_from", bad),
        ):
            body = {**good, field: value}
            if field == "new_branch_from":
                body["branch"] = "fresh"
            r = await alice.post(f"/api/notebooks/{nb}/github", json=body)
            assert r.status_code == 400, (field, value, r.text)
            assert r.json()["error"]["code"] == "invalid_git_name", (field, value)
            assert TOKEN not in r.text
    for path in ("../x.ipynb", "a/.git/config.ipynb", ".git", "a\nb.ipynb", 'a"b.ipynb'):
        r = await alice.post(f"/api/notebooks/{nb}/github", json={**good, "path": path})
        assert r.status_code == 400, path
    for ref in ("main..x", "HEAD", "a/../b", "x.lock", "@{-1}", "a b", "refs//x"):
        r = await alice.post(f"/api/notebooks/{nb}/github", json={**good, "branch": ref})
        assert r.status_code == 400, ref
    assert git_calls() == 0


async def test_hostile_browse_names(alice, git_calls: Callable[[], int]) -> None:  # type: ignore[no-untyped-def]
    for owner in ("-x", "a..b", "a%20b", "--upload-pack=x"):
        r = await alice.get(f"/api/github/repos/{owner}")
        assert r.status_code == 400, owner
    r = await alice.get("/api/github/repos/octo/demo", params={"ref": "--upload-pack=x"})
    assert r.status_code == 400
    assert git_calls() == 0


# Subgroup paths: refused outright on GitHub (no nesting there); on GitLab the hostile
# ones are refused too (tests/github/test_gitlab_subgroups.py).
SUBGROUP_FORMS = ["a/../b", "a//b", "-x/y", "a/b"]


async def test_subgroup_paths_are_refused_on_github(  # type: ignore[no-untyped-def]
    alice, git_calls: Callable[[], int]
) -> None:
    r = await alice.post(
        "/api/notebooks", json={"name": "n.ipynb", "content": json.loads(notebook_bytes())}
    )
    nb = r.json()["id"]
    for ns in SUBGROUP_FORMS:
        tilde = ns.replace("/", "~")
        for url in (
            f"/github/{tilde}/demo/blob/main/a.ipynb",
            f"https://colab.research.google.com/github/{tilde}/demo/blob/main/a.ipynb",
        ):
            r = await alice.get("/api/github/open", params={"url": url})
            assert r.status_code == 400, (url, r.text)
            assert r.json()["error"]["code"] in ("invalid_url", "invalid_git_name"), url
        r = await alice.get(f"/api/github/repos/{tilde}")
        assert r.status_code == 400, (ns, r.text)
        r = await alice.post(
            f"/api/notebooks/{nb}/github",
            json={"repo": f"{ns}/demo", "branch": "main", "path": "x.ipynb"},
        )
        assert r.status_code == 400, (ns, r.text)
        assert r.json()["error"]["code"] == "invalid_git_name", ns
    assert git_calls() == 0
