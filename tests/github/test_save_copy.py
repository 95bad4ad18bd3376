"""Save a copy in GitHub (existing branch, new branch, empty repository, a push race,
the badge cell) and in a Gist."""

from __future__ import annotations

import json

from tests.conftest import AppHarness, Client
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN, notebook_bytes


async def _drive_notebook(user: Client, name: str = "mine.ipynb") -> str:
    content = json.loads(notebook_bytes("x = 1\nprint(x)"))
    r = await user.post("/api/notebooks", json={"name": name, "content": content})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _user_with_token(harness: AppHarness, name: str = "alice") -> Client:
    user = await harness.user(name)
    assert (await user.put("/api/me/credentials/github", json={"token": TOKEN})).status_code == 204
    return user


async def test_save_to_an_existing_branch_with_the_badge(
    harness: AppHarness, bridge: GitBridge
) -> None:
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice)
    r = await alice.post(
        f"/api/notebooks/{nb}/github",
        json={
            "repo": "octo/demo",
            "branch": "main",
            "path": "saved/mine.ipynb",
            "message": "Add my notebook",
            "include_link": True,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["branch"] == "main"
    assert body["url"].endswith("/octo/demo/blob/main/saved/mine.ipynb")
    assert bridge.head("octo/demo", "main") == body["commit"]
    saved = json.loads(bridge.read("octo/demo", "main", "saved/mine.ipynb"))
    first = saved["cells"][0]
    assert first["cell_type"] == "markdown"
    assert "/assets/badge.svg" in "".join(first["source"])
    assert "/github/octo/demo/blob/main/saved/mine.ipynb" in "".join(first["source"])
    assert "".join(saved["cells"][2]["source"]) == "x = 1\nprint(x)"
    # What was there stays: the other files and the history.
    assert bridge.read("octo/demo", "main", "README.md") == b"hi\n"
    assert bridge.log("octo/demo", "main")[0] == "Add my notebook"

    # Saved again: still one badge cell; without the link no badge.
    r = await alice.post(
        f"/api/notebooks/{nb}/github",
        json={"repo": "octo/demo", "branch": "main", "path": "saved/mine.ipynb"},
    )
    saved = json.loads(bridge.read("octo/demo", "main", "saved/mine.ipynb"))
    assert sum("badge.svg" in "".join(c["source"]) for c in saved["cells"]) == 1
    r = await alice.post(
        f"/api/notebooks/{nb}/github",
        json={"repo": "octo/demo", "branch": "main", "path": "plain.ipynb", "include_link": False},
    )
    assert r.status_code == 200
    plain = json.loads(bridge.read("octo/demo", "main", "plain.ipynb"))
    assert all("badge.svg" not in "".join(c["source"]) for c in plain["cells"])


async def test_save_on_a_new_branch_from_the_default(
    harness: AppHarness, bridge: GitBridge
) -> None:
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice)
    main_before = bridge.head("octo/demo", "main")
    body = {
        "repo": "octo/demo",
        "branch": "feature/x",
        "path": "n.ipynb",
        "new_branch_from": "default",
        "include_link": False,
    }
    r = await alice.post(f"/api/notebooks/{nb}/github", json=body)
    assert r.status_code == 200, r.text
    assert bridge.head("octo/demo", "feature/x") == r.json()["commit"]
    assert bridge.parents("octo/demo", "feature/x") == [main_before]
    assert bridge.head("octo/demo", "main") == main_before
    again = await alice.post(f"/api/notebooks/{nb}/github", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "branch_exists"
    missing = await alice.post(
        f"/api/notebooks/{nb}/github",
        json={"repo": "octo/demo", "branch": "nope", "path": "n.ipynb"},
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "no_such_branch"


async def test_save_into_an_empty_repository(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice)
    r = await alice.post(
        f"/api/notebooks/{nb}/github",
        json={"repo": "octo/empty", "path": "first.ipynb", "include_link": False},
    )
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "main"
    assert bridge.parents("octo/empty", "main") == []
    assert json.loads(bridge.read("octo/empty", "main", "first.ipynb"))["nbformat"] == 4


async def test_a_lost_push_race_loses_nothing(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice)
    theirs: list[str] = []
    bridge.before_push = lambda _: theirs.append(
        bridge.commit("octo/demo", "main", {"theirs.txt": b"their work"}, "their push")
    )
    body = {"repo": "octo/demo", "branch": "main", "path": "race.ipynb", "include_link": False}
    r = await alice.post(f"/api/notebooks/{nb}/github", json=body)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "push_conflict"
    assert "new branch" in r.json()["error"]["message"]
    # Their push stands, ours did not overwrite it; the drive copy is unchanged.
    assert bridge.head("octo/demo", "main") == theirs[0]
    assert bridge.read("octo/demo", "main", "theirs.txt") == b"their work"
    assert (await alice.get(f"/api/notebooks/{nb}")).json()["revision"] == 1
    # The offered way out: the same save on a new branch.
    r = await alice.post(
        f"/api/notebooks/{nb}/github", json={**body, "branch": "mine", "new_branch_from": "main"}
    )
    assert r.status_code == 200, r.text
    assert bridge.parents("octo/demo", "mine") == [theirs[0]]


async def test_saving_needs_a_token_and_the_notebook(
    harness: AppHarness, bridge: GitBridge
) -> None:
    alice = await harness.user("alice")
    nb = await _drive_notebook(alice)
    body = {"repo": "octo/demo", "branch": "main", "path": "x.ipynb"}
    r = await alice.post(f"/api/notebooks/{nb}/github", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "git_token_missing"
    await alice.put("/api/me/credentials/github", json={"token": "not-valid"})
    r = await alice.post(f"/api/notebooks/{nb}/github", json=body)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "git_auth_failed"
    bob = await _user_with_token(harness, "bob")
    r = await bob.post(f"/api/notebooks/{nb}/github", json=body)
    assert r.status_code == 404
    assert "x.ipynb" not in bridge.files("octo/demo", "main")


async def test_save_as_a_new_and_an_updated_gist(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice, "gisted.ipynb")
    r = await alice.post(f"/api/notebooks/{nb}/gist", json={"description": "demo"})
    assert r.status_code == 200, r.text
    gist_id = r.json()["id"]
    stored = bridge.gists[gist_id]["files"]["gisted.ipynb"]["content"]  # type: ignore[index]
    assert "print(x)" in stored
    r = await alice.post(f"/api/notebooks/{nb}/gist", json={"gist_id": gist_id})
    assert r.status_code == 200 and r.json()["id"] == gist_id
    opened = await alice.get("/api/github/open", params={"url": f"/gist/tester/{gist_id}"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["name"] == "gisted.ipynb"
    assert opened.json()["source"] == f"/gist/tester/{gist_id}"
    assert opened.json()["content"]["cells"][1]["source"] == "x = 1\nprint(x)"


async def test_scratch_ids_are_checked(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    assert (await alice.get("/api/scratch/../session")).status_code == 404
    r = await alice.get("/api/scratch/" + "a" * 28 + "/session")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_session"
    assert (await alice.post("/api/scratch/xyz/session")).status_code == 404


async def test_save_a_scratch_copy_back_to_github(harness: AppHarness, bridge: GitBridge) -> None:
    alice = await _user_with_token(harness)
    opened = (
        await alice.get(
            "/api/github/open", params={"url": "/github/octo/demo/blob/main/notebooks/demo.ipynb"}
        )
    ).json()
    content = opened["content"]
    content["cells"][1]["source"] = "print('edited in the scratch copy')"
    r = await alice.post(
        "/api/github/save",
        json={
            "content": content,
            "repo": "octo/demo",
            "branch": "main",
            "path": "notebooks/demo.ipynb",
            "include_link": True,
        },
    )
    assert r.status_code == 200, r.text
    saved = json.loads(bridge.read("octo/demo", "main", "notebooks/demo.ipynb"))
    assert "badge.svg" in "".join(saved["cells"][0]["source"])
    assert "".join(saved["cells"][2]["source"]) == "print('edited in the scratch copy')"
    bad = await alice.post(
        "/api/github/save",
        json={"content": {"nbformat": 3}, "repo": "octo/demo", "branch": "main", "path": "b.ipynb"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_notebook"


async def test_no_branch_means_the_default_one(harness: AppHarness, bridge: GitBridge) -> None:
    bridge.create_repo("octo/legacy", {"README.md": b"old\n"}, branch="master")
    alice = await _user_with_token(harness)
    nb = await _drive_notebook(alice)
    r = await alice.post(
        f"/api/notebooks/{nb}/github", json={"repo": "octo/legacy", "path": "n.ipynb"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "master"
    saved = json.loads(bridge.read("octo/legacy", "master", "n.ipynb"))
    assert "/github/octo/legacy/blob/master/n.ipynb" in "".join(saved["cells"][0]["source"])
