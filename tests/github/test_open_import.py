"""Open from GitHub (public, private, wrong token), Colab URLs, import, browse, token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cloudbook.settings import Settings
from tests.conftest import AppHarness
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes

DEMO = "/github/octo/demo/blob/main/notebooks/demo.ipynb"


async def test_open_public_by_every_link_form(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await harness.user("alice")
    for url in (
        DEMO,
        f"{bridge.base_url}/git/octo/demo/blob/main/notebooks/demo.ipynb",
        "https://colab.research.google.com" + DEMO + "#scrollTo=code1",
        "http://testserver" + DEMO,
    ):
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 200, (url, r.text)
        body = r.json()
        assert body["name"] == "demo.ipynb"
        assert body["source"] == DEMO
        assert [c["source"] for c in body["content"]["cells"]][1] == "print('hello from github')"
        assert len(body["commit"]) == 40
    assert body["scroll_to"] is None
    colab = "https://colab.research.google.com" + DEMO + "#scrollTo=code1"
    r = await alice.get("/api/github/open", params={"url": colab})
    assert r.json()["scroll_to"] == "code1"


async def test_missing_file_and_repo_are_clear(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    for url in (
        "/github/octo/demo/blob/main/nope.ipynb",
        "/github/octo/nothere/blob/main/x.ipynb",
        "/github/octo/demo/blob/nobranch/notebooks/demo.ipynb",
    ):
        r = await alice.get("/api/github/open", params={"url": url})
        assert r.status_code == 404, (url, r.text)
        assert r.json()["error"]["code"] == "git_not_found"


async def test_private_repo_needs_the_stored_token(harness: AppHarness, settings: Settings) -> None:
    alice = await harness.user("alice")
    url = "/github/octo/secret/blob/main/private.ipynb"
    r = await alice.get("/api/github/open", params={"url": url})
    assert r.status_code == 404
    assert "token" in r.json()["error"]["message"]

    assert (
        await alice.put("/api/me/credentials/github", json={"token": "wrong"})
    ).status_code == 204
    r = await alice.get("/api/github/open", params={"url": url})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "git_auth_failed"
    assert "wrong" not in r.text

    assert (await alice.put("/api/me/credentials/github", json={"token": TOKEN})).status_code == 204
    state = await alice.get("/api/me/credentials/github")
    assert state.json() == {"stored": True}
    assert TOKEN not in state.text
    r = await alice.get("/api/github/open", params={"url": url})
    assert r.status_code == 200
    assert r.json()["content"]["cells"][1]["source"] == "print(42)"

    # Encrypted at rest (SQLite file and PostgreSQL rows alike); another user does not get it.
    from sqlalchemy import select

    from cloudbook.store.models import GitCredential

    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    async with services.db.session() as session:
        blobs = (await session.execute(select(GitCredential.ciphertext))).scalars().all()
    assert len(blobs) == 1 and TOKEN.encode() not in blobs[0]
    if settings.resolved_database_url.startswith("sqlite"):
        db_file = settings.resolved_database_url.split("///", 1)[1]
        assert TOKEN.encode() not in Path(db_file).read_bytes()
    bob = await harness.user("bob")
    assert (await bob.get("/api/github/open", params={"url": url})).status_code == 404

    assert (await alice.delete("/api/me/credentials/github")).status_code == 204
    assert (await alice.get("/api/me/credentials/github")).json() == {"stored": False}
    assert (await alice.get("/api/github/open", params={"url": url})).status_code == 404


async def test_import_makes_a_drive_notebook(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    r = await alice.post("/api/notebooks/import", json={"url": DEMO})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["name"] == "demo.ipynb" and first["revision"] == 1
    got = await alice.get(f"/api/notebooks/{first['id']}")
    assert got.json()["content"]["cells"][1]["source"] == "print('hello from github')"
    again = await alice.post(
        "/api/notebooks/import", json={"url": "https://colab.research.google.com" + DEMO}
    )
    assert again.status_code == 201
    assert again.json()["name"] == "demo (1).ipynb"
    bad = await alice.post("/api/notebooks/import", json={"url": "https://example.com/x.ipynb"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "unsupported_url"


async def test_browse_owner_and_repo(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await harness.user("alice")
    bridge.commit("octo/demo", "dev", {"deep/dir/more.ipynb": b"{}"}, "dev branch")
    r = await alice.get("/api/github/repos/octo")
    assert r.status_code == 200
    assert [x["name"] for x in r.json()["repos"]] == ["demo", "empty"]  # private one hidden
    r = await alice.get("/api/github/repos/octo/demo")
    assert r.json() == {
        "default_branch": "main",
        "branch": "main",
        "branches": ["dev", "main"],
        "notebooks": ["notebooks/demo.ipynb"],
    }
    r = await alice.get("/api/github/repos/octo/demo", params={"ref": "dev"})
    assert r.json()["notebooks"] == ["deep/dir/more.ipynb"]
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    r = await alice.get("/api/github/repos/octo")
    assert [x["name"] for x in r.json()["repos"]] == ["demo", "empty", "secret"]


async def test_repositories_to_pick_need_the_token(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    assert (await alice.get("/api/github/my-repos")).json() == {"repos": []}
    await alice.put("/api/me/credentials/github", json={"token": TOKEN})
    r = await alice.get("/api/github/my-repos")
    assert r.json() == {"repos": ["octo/demo", "octo/empty", "octo/secret"]}
    await alice.put("/api/me/credentials/github", json={"token": "wrong"})
    r = await alice.get("/api/github/my-repos")
    assert r.status_code == 403 and r.json()["error"]["code"] == "git_auth_failed"


async def test_the_badge_and_pages_answer(harness: AppHarness) -> None:
    http = harness.anonymous()
    r = await http.get("/assets/badge.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert "Open in cloudbook" in r.text


async def test_routes_need_login(harness: AppHarness, git_calls: Callable[[], int]) -> None:
    http = harness.anonymous()
    assert (await http.get("/api/github/open", params={"url": DEMO})).status_code == 401
    assert (await http.post("/api/notebooks/import", json={"url": DEMO})).status_code == 401
    assert git_calls() == 0


async def test_branches_with_a_slash_open(harness: AppHarness, bridge: GitBridge) -> None:
    bridge.commit("octo/demo", "feature/x", {"nb/deep.ipynb": notebook_bytes("print(7)")}, "f")
    alice = await harness.user("alice")
    url = "https://github.com/octo/demo/blob/feature/x/nb/deep.ipynb".replace(
        "https://github.com", f"{bridge.base_url}/git"
    )
    for link in (url, "/github/octo/demo/blob/feature/x/nb/deep.ipynb"):
        r = await alice.get("/api/github/open", params={"url": link})
        assert r.status_code == 200, r.text
        assert r.json()["content"]["cells"][1]["source"] == "print(7)"
        assert r.json()["source"] == "/github/octo/demo/blob/feature/x/nb/deep.ipynb"
    missing = await alice.get(
        "/api/github/open", params={"url": "/github/octo/demo/blob/feature/y/nb/deep.ipynb"}
    )
    assert missing.status_code == 404
