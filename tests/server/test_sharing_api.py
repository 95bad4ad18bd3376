"""Sharing and comments through the API: people, folders, general access, ownership,
"Shared with me", playground copies, comment threads."""

from __future__ import annotations

import json

from tests.conftest import AppHarness
from tests.server.test_role_matrix import NOTEBOOK


async def test_share_people_folders_and_shared_with_me(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    carol = await harness.user("carol")
    nb = (await alice.post("/api/notebooks", json={"name": "a.ipynb"})).json()
    await alice.post("/api/folders", json={"path": "team"})
    inside = (await alice.post("/api/notebooks", json={"name": "team/b.ipynb"})).json()
    base = f"/api/notebooks/{nb['id']}"

    # Nobody else sees anything yet; a name that is nobody is a clear error.
    assert (await bob.get(base)).status_code == 404
    r = await alice.post(f"{base}/shares", json={"user": "nobody", "role": "viewer"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "no_such_user")
    r = await alice.post(f"{base}/shares", json={"user": "bob", "role": "owner"})
    assert r.status_code == 422  # ownership moves only by transfer

    r = await alice.post(f"{base}/shares", json={"user": "bob", "role": "viewer"})
    assert r.json()["people"] == [{"user": "bob", "role": "viewer", "via": "notebook"}]
    got = (await bob.get(base)).json()
    assert (got["role"], got["owner"], got["name"]) == ("viewer", "alice", "a.ipynb")
    r = await alice.post(
        "/api/folder-shares", params={"path": "team"}, json={"user": "bob", "role": "editor"}
    )
    assert r.status_code == 200, r.text
    mine = (await bob.get("/api/shared-with-me")).json()
    assert {(n["name"], n["role"], n["owner"]) for n in mine["notebooks"]} == {
        ("a.ipynb", "viewer", "alice"),
        ("team/b.ipynb", "editor", "alice"),
    }
    assert mine["folders"] == [{"owner": "alice", "path": "team", "role": "editor"}]
    # What is inside a shared folder follows it, also after the folder moves.
    r = await alice.patch("/api/folders", json={"path": "team", "new_path": "crew"})
    assert r.status_code == 200, r.text
    assert (await bob.get(f"/api/notebooks/{inside['id']}")).json()["role"] == "editor"
    people = (await alice.get(f"/api/notebooks/{inside['id']}/shares")).json()["people"]
    assert people == [{"user": "bob", "role": "editor", "via": "crew"}]

    # A viewer cannot share further, nor take the notebook.
    r = await bob.post(f"{base}/shares", json={"user": "carol", "role": "editor"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role")
    r = await bob.post(f"{base}/owner", json={"user": "bob"})
    assert r.status_code == 403
    assert (await carol.get(base)).status_code == 404

    # General access: anyone signed in with the link; not listed in their Shared with me.
    r = await alice.put(f"{base}/general-access", json={"role": "commenter"})
    assert r.json()["general"] == "commenter"
    assert (await carol.get(base)).json()["role"] == "commenter"
    assert (await carol.get("/api/shared-with-me")).json()["notebooks"] == []
    await alice.put(f"{base}/general-access", json={"role": None})
    assert (await carol.get(base)).status_code == 404

    # Remove and change.
    r = await alice.patch(f"{base}/shares/bob", json={"role": "editor"})
    assert r.json()["people"][0]["role"] == "editor"
    assert (await alice.delete(f"{base}/shares/bob")).status_code == 204
    assert (await bob.get(base)).status_code == 404


async def test_transfer_ownership_moves_the_file(harness: AppHarness, drive_files) -> None:  # type: ignore[no-untyped-def]
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    nb = (
        await alice.post("/api/notebooks", json={"name": "deep/x.ipynb", "content": NOTEBOOK})
    ).json()
    base = f"/api/notebooks/{nb['id']}"
    r = await alice.post(f"{base}/owner", json={"user": "bob"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "x.ipynb"
    got = (await bob.get(base)).json()
    assert (got["role"], got["owner"]) == ("owner", "bob")
    assert (await alice.get(base)).json()["role"] == "editor"
    files = drive_files()
    bob_id = (await bob.get("/api/me")).json()["id"]
    assert f"{bob_id}/x.ipynb" in files
    assert not any(p.endswith("deep/x.ipynb") for p in files)
    # The former owner, now an editor, cannot take it back.
    r = await alice.post(f"{base}/owner", json={"user": "alice"})
    assert r.status_code == 403


async def test_playground_is_the_callers_own_copy(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    nb = (await alice.post("/api/notebooks", json={"name": "p.ipynb", "content": NOTEBOOK})).json()
    await alice.post(f"/api/notebooks/{nb['id']}/shares", json={"user": "bob", "role": "viewer"})
    r = await bob.post(f"/api/notebooks/{nb['id']}/playground")
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["name"] == "Playground/p.ipynb" and copy["id"] != nb["id"]
    got = (await bob.get(f"/api/notebooks/{copy['id']}")).json()
    assert got["role"] == "owner"
    assert got["content"]["cells"][0]["source"] == "print(1)"
    assert (await alice.get(f"/api/notebooks/{copy['id']}")).status_code == 404
    # Bob may change his copy; the original stays as it was.
    content = got["content"]
    content["cells"][0]["source"] = "print(2)"
    r = await bob.put(f"/api/notebooks/{copy['id']}", json={"content": content, "base_revision": 1})
    assert r.status_code == 200, r.text
    original = (await alice.get(f"/api/notebooks/{nb['id']}")).json()
    assert original["content"]["cells"][0]["source"] == "print(1)"


async def test_comment_threads_replies_resolve_mentions(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    vic = await harness.user("vic")
    await harness.user("outsider")
    nb = (await alice.post("/api/notebooks", json={"name": "c.ipynb", "content": NOTEBOOK})).json()
    base = f"/api/notebooks/{nb['id']}"
    await alice.post(f"{base}/shares", json={"user": "bob", "role": "commenter"})
    await alice.post(f"{base}/shares", json={"user": "vic", "role": "viewer"})

    r = await bob.post(
        f"{base}/comments",
        json={"cell_id": "cell-one", "quote": "print", "body": "Why @alice? cc @outsider @vic"},
    )
    assert r.status_code == 201, r.text
    thread = r.json()
    assert (thread["cell_id"], thread["quote"], thread["resolved"]) == ("cell-one", "print", False)
    # Mentions name only people with access to the notebook.
    assert thread["comments"][0]["mentions"] == ["alice", "vic"]
    r = await alice.post(f"{base}/comments", json={"thread_id": thread["id"], "body": "Because."})
    assert [c["author"] for c in r.json()["comments"]] == ["bob", "alice"]
    # A viewer reads but does not write.
    r = await vic.post(f"{base}/comments", json={"cell_id": "cell-one", "body": "me too"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role")
    assert len((await vic.get(f"{base}/comments")).json()["threads"]) == 1
    # Resolve, reopen; only the author edits the text.
    first = thread["comments"][0]["id"]
    r = await alice.patch(f"/api/comments/{first}", json={"resolved": True})
    assert r.json()["resolved"] is True
    r = await alice.patch(f"/api/comments/{first}", json={"body": "not mine"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "not_author")
    r = await bob.patch(f"/api/comments/{first}", json={"resolved": False, "body": "Why?"})
    assert (r.json()["resolved"], r.json()["comments"][0]["body"]) == (False, "Why?")
    r = await bob.post(f"{base}/comments", json={"cell_id": "cell-one", "body": "   "})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "empty_comment")

    # Not in the .ipynb; in a download only on request.
    plain = await alice.get(f"{base}/file")
    assert "Because." not in plain.text
    exported = json.loads((await alice.get(f"{base}/file", params={"comments": "true"})).text)
    threads = exported["metadata"]["cloudbook"]["comments"]
    assert [c["body"] for c in threads[0]["comments"]] == ["Why?", "Because."]

    # Removing access hides comments; a removed commenter cannot even find them.
    await alice.delete(f"{base}/shares/bob")
    r = await bob.patch(f"/api/comments/{first}", json={"resolved": True})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "no_such_comment")
    # Deleting the first comment takes the thread.
    assert (await alice.delete(f"/api/comments/{first}")).status_code == 204
    assert (await alice.get(f"{base}/comments")).json()["threads"] == []


async def test_watches_end_when_the_notebook_leaves_a_shared_folder_or_goes_to_trash(
    harness: AppHarness,
) -> None:
    import asyncio

    from cloudbook.services.identity import UserInfo

    alice = await harness.user("alice")
    bob = await harness.user("bob")
    await alice.post("/api/folders", json={"path": "team"})
    moved = (await alice.post("/api/notebooks", json={"name": "team/a.ipynb"})).json()
    trashed = (await alice.post("/api/notebooks", json={"name": "team/b.ipynb"})).json()
    await alice.post(
        "/api/folder-shares", params={"path": "team"}, json={"user": "bob", "role": "viewer"}
    )
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    bob_id = (await bob.get("/api/me")).json()["id"]
    who = UserInfo(id=bob_id, name="bob", is_admin=False)
    lost = {moved["id"]: asyncio.Event(), trashed["id"]: asyncio.Event()}
    for notebook_id, event in lost.items():

        async def on_lost(event: asyncio.Event = event) -> None:
            event.set()

        await services.access.watch(who, notebook_id, "viewer", on_lost)
    r = await alice.patch(f"/api/notebooks/{moved['id']}", json={"name": "mine.ipynb"})
    assert r.status_code == 200, r.text
    await asyncio.wait_for(lost[moved["id"]].wait(), 30)
    assert not lost[trashed["id"]].is_set()
    assert (await alice.delete(f"/api/notebooks/{trashed['id']}")).status_code == 204
    await asyncio.wait_for(lost[trashed["id"]].wait(), 30)
    assert (await bob.get(f"/api/notebooks/{trashed['id']}")).status_code == 404


async def test_an_editor_cannot_raise_themselves(harness: AppHarness) -> None:
    """Ownership, admin rights, a higher share or wider general access: each refused, and
    the notebook's owner, people and general access are as they were."""
    alice = await harness.user("alice")
    ed = await harness.user("ed")
    cora = await harness.user("cora")
    nb = (await alice.post("/api/notebooks", json={"name": "plan.ipynb"})).json()
    base = f"/api/notebooks/{nb['id']}"
    await alice.post(f"{base}/shares", json={"user": "ed", "role": "editor"})
    await alice.post(f"{base}/shares", json={"user": "cora", "role": "commenter"})
    before = (await alice.get(f"{base}/shares")).json()
    ed_id = (await ed.get("/api/me")).json()["id"]

    attempts = [
        (ed, "POST", f"{base}/owner", {"user": "ed"}),
        (ed, "POST", f"{base}/shares", {"user": "ed", "role": "editor"}),
        (ed, "PATCH", f"{base}/shares/ed", {"role": "editor"}),
        (ed, "POST", f"{base}/shares", {"user": "cora", "role": "editor"}),
        (ed, "DELETE", f"{base}/shares/cora", None),
        (ed, "PUT", f"{base}/general-access", {"role": "editor"}),
        (cora, "PATCH", f"{base}/shares/cora", {"role": "editor"}),
        (cora, "POST", f"{base}/owner", {"user": "cora"}),
    ]
    for client, method, url, body in attempts:
        kw = {"json": body} if body is not None else {}
        r = await client.http.request(method, url, headers={"X-XSRF-Token": client.xsrf}, **kw)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role"), (url, r.text)
    r = await ed.patch(f"/api/admin/users/{ed_id}", json={"is_admin": True})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "admin_only")
    # An editor's own "folder share" names a folder of their own drive, never the owner's.
    r = await ed.post(
        "/api/folder-shares", params={"path": "."}, json={"user": "ed", "role": "editor"}
    )
    assert r.status_code in (400, 404)

    assert (await alice.get(f"{base}/shares")).json() == before
    assert (await ed.get("/api/me")).json()["is_admin"] is False
    got = (await ed.get(base)).json()
    assert (got["owner"], got["role"]) == ("alice", "editor")


async def test_a_restricted_link_reveals_nothing(harness: AppHarness) -> None:
    """A signed-in stranger with the link of a restricted notebook gets exactly what a
    made-up id gets: no name, no owner, no hint that it exists."""
    import uuid

    alice = await harness.user("alice")
    stranger = await harness.user("stranger")
    nb = (
        await alice.post("/api/notebooks", json={"name": "secret-plans.ipynb", "content": NOTEBOOK})
    ).json()
    await alice.post(
        f"/api/notebooks/{nb['id']}/comments", json={"cell_id": "cell-one", "body": "x"}
    )
    made_up = str(uuid.uuid4())
    for suffix, method, body in (
        ("", "GET", None),
        ("/shares", "GET", None),
        ("/comments", "GET", None),
        ("/revisions", "GET", None),
        ("/session", "GET", None),
        ("/playground", "POST", None),
        ("/file", "GET", None),
        ("/duplicate", "POST", {}),
        ("/shares", "POST", {"user": "stranger", "role": "viewer"}),
        ("/owner", "POST", {"user": "stranger"}),
    ):
        answers = []
        for notebook_id in (nb["id"], made_up):
            kw = {"json": body} if body is not None else {}
            r = await stranger.http.request(
                method,
                f"/api/notebooks/{notebook_id}{suffix}",
                headers={"X-XSRF-Token": stranger.xsrf},
                **kw,
            )
            text = r.text.replace(notebook_id, "ID")
            answers.append((r.status_code, text, r.headers.get("content-type")))
            assert "secret-plans" not in r.text and "alice" not in r.text
        assert answers[0] == answers[1], (suffix, answers)
        assert answers[0][0] == 404, (suffix, answers)
    # The page shell is the same for both ids (its data comes by the API above).
    shells = [(await stranger.get(f"/notebooks/{i}")).text for i in (nb["id"], made_up)]
    assert shells[0] == shells[1] and "secret-plans" not in shells[0]


async def test_browse_a_shared_folder(harness: AppHarness) -> None:
    """A folder shared with bob: he walks down its sub-folders and sees each notebook with
    his role (the folder's, or more by a notebook's own share); the folders above it, a
    stranger, a path trick and a made-up folder all answer the same 404."""
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    stranger = await harness.user("stranger")
    for path in ("proj", "proj/data", "proj/data/raw", "proj/empty", "private"):
        assert (await alice.post("/api/folders", json={"path": path})).status_code == 201
    made = {}
    for name in ("proj/a.ipynb", "proj/data/b.ipynb", "proj/data/raw/c.ipynb", "private/p.ipynb"):
        made[name] = (await alice.post("/api/notebooks", json={"name": name})).json()["id"]
    r = await alice.post(
        "/api/folder-shares", params={"path": "proj"}, json={"user": "bob", "role": "viewer"}
    )
    assert r.status_code == 200, r.text
    b = made["proj/data/b.ipynb"]
    await alice.post(f"/api/notebooks/{b}/shares", json={"user": "bob", "role": "editor"})

    mine = (await bob.get("/api/shared-with-me")).json()
    assert mine["folders"] == [{"owner": "alice", "path": "proj", "role": "viewer"}]

    async def browse(client: object, path: str, owner: str = "alice") -> object:
        return await client.get(  # type: ignore[attr-defined]
            "/api/shared-folder", params={"owner": owner, "path": path}
        )

    top = (await browse(bob, "proj")).json()
    assert top["folder"] == {"owner": "alice", "path": "proj", "role": "viewer"}
    assert [f["path"] for f in top["folders"]] == ["proj/data", "proj/empty"]
    assert [(n["name"], n["role"]) for n in top["notebooks"]] == [("proj/a.ipynb", "viewer")]
    down = (await browse(bob, "proj/data")).json()
    assert [f["path"] for f in down["folders"]] == ["proj/data/raw"]
    assert [(n["name"], n["role"], n["id"]) for n in down["notebooks"]] == [
        ("proj/data/b.ipynb", "editor", b)
    ]
    deepest = (await browse(bob, "proj/data/raw")).json()
    assert [n["name"] for n in deepest["notebooks"]] == ["proj/data/raw/c.ipynb"]
    assert (await browse(bob, "proj/empty")).json()["notebooks"] == []
    # What he sees he can open, with that role.
    got = (await bob.get(f"/api/notebooks/{made['proj/data/raw/c.ipynb']}")).json()
    assert got["role"] == "viewer"

    refused = [
        await browse(bob, "private"),
        await browse(bob, "proj/../private"),
        await browse(bob, "nothing/here"),
        await browse(bob, "proj", owner="nobody"),
        await browse(stranger, "proj"),
        await browse(stranger, "proj/data"),
    ]
    for r in refused:
        assert (r.status_code, r.json()["error"]["code"]) == (404, "no_such_folder"), r.text
        assert "p.ipynb" not in r.text
    assert len({r.text for r in refused}) == 1  # the same answer whatever the reason
    # The share removed: the tree is gone at once.
    await alice.delete("/api/folder-shares/bob", params={"path": "proj"})
    assert (await browse(bob, "proj/data")).status_code == 404
