"""The notebooks API as a client sees it: create, list, open, save, rename, delete, revisions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import AppHarness


def notebook(*sources: str, minor: int = 5) -> dict[str, Any]:
    cells = []
    for i, src in enumerate(sources):
        cell: dict[str, Any] = {
            "cell_type": "code",
            "source": src,
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
        if minor >= 5:
            cell["id"] = f"cell-{i}"
        cells.append(cell)
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": {}, "cells": cells}


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    assert "Traceback" not in response.text and "/tmp" not in response.text


async def test_create_list_open_save_rename_delete(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    r = await alice.post("/api/notebooks", json={"name": "first.ipynb"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["name"] == "first.ipynb" and created["revision"] == 1
    nb_id = created["id"]

    listed = (await alice.get("/api/notebooks")).json()["notebooks"]
    assert [n["id"] for n in listed] == [nb_id]

    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["content"]["nbformat"] == 4 and got["content"]["cells"] == []

    r = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("print(1)"), "base_revision": 1}
    )
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 2
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["content"]["cells"][0]["source"] == "print(1)"

    r = await alice.patch(f"/api/notebooks/{nb_id}", json={"name": "folder/renamed.ipynb"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == nb_id and r.json()["name"] == "folder/renamed.ipynb"
    path = harness.settings.drive_dir / "2" / "folder" / "renamed.ipynb"
    assert path.is_file() and "print(1)" in path.read_text()
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["revision"] == 2 and got["content"]["cells"][0]["source"] == "print(1)"

    assert (await alice.delete(f"/api/notebooks/{nb_id}")).status_code == 204
    assert not path.exists()
    assert_error(await alice.get(f"/api/notebooks/{nb_id}"), 404, "no_such_notebook")


async def test_created_content_is_upgraded_to_4_5_with_cell_ids(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    r = await alice.post(
        "/api/notebooks", json={"name": "old.ipynb", "content": notebook("x = 1", minor=4)}
    )
    assert r.status_code == 201, r.text
    content = (await alice.get(f"/api/notebooks/{r.json()['id']}")).json()["content"]
    assert content["nbformat_minor"] == 5
    assert content["cells"][0]["id"]


async def test_stale_save_is_refused_and_changes_nothing(
    harness: AppHarness, drive_files: Any
) -> None:
    alice = await harness.user("alice")
    nb_id = (await alice.post("/api/notebooks", json={"name": "a.ipynb"})).json()["id"]
    ok = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("mine"), "base_revision": 1}
    )
    assert ok.status_code == 200
    before = drive_files()
    stale = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("theirs"), "base_revision": 1}
    )
    assert_error(stale, 409, "stale_revision")
    assert drive_files() == before
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["revision"] == 2 and got["content"]["cells"][0]["source"] == "mine"


async def test_revisions_list_fetch_restore(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    nb_id = (await alice.post("/api/notebooks", json={"name": "r.ipynb"})).json()["id"]
    for rev, src in enumerate(["one", "two", "three"], start=1):
        r = await alice.put(
            f"/api/notebooks/{nb_id}", json={"content": notebook(src), "base_revision": rev}
        )
        assert r.status_code == 200
    revs = (await alice.get(f"/api/notebooks/{nb_id}/revisions")).json()["revisions"]
    assert [r["revision"] for r in revs] == [4, 3, 2, 1]
    assert {r["author"] for r in revs} == {"alice"}
    old = (await alice.get(f"/api/notebooks/{nb_id}/revisions/2")).json()
    assert old["content"]["cells"][0]["source"] == "one"
    r = await alice.post(f"/api/notebooks/{nb_id}/revisions/2/restore", json={"base_revision": 4})
    assert r.status_code == 200 and r.json()["revision"] == 5
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["content"]["cells"][0]["source"] == "one"
    assert_error(await alice.get(f"/api/notebooks/{nb_id}/revisions/99"), 404)


@pytest.mark.parametrize(
    "name",
    [
        "../escape.ipynb",
        "a/../../escape.ipynb",
        "%2e%2e/escape.ipynb",
        "%2E%2E%2Fescape.ipynb",
        "/etc/passwd.ipynb",
        "nul\x00byte.ipynb",
        "back\\slash.ipynb",
        "no-suffix.txt",
        "",
    ],
)
async def test_bad_names_are_refused(harness: AppHarness, drive_files: Any, name: str) -> None:
    alice = await harness.user("alice")
    before = drive_files()
    assert_error(await alice.post("/api/notebooks", json={"name": name}), 400, "invalid_name")
    nb_id = (await alice.post("/api/notebooks", json={"name": "ok.ipynb"})).json()["id"]
    snapshot = drive_files()
    assert_error(await alice.patch(f"/api/notebooks/{nb_id}", json={"name": name}), 400)
    assert drive_files() == snapshot
    assert len(snapshot) == len(before) + 1
    parent = harness.settings.data_dir.parent
    assert not (parent / "escape.ipynb").exists()


async def test_bad_bodies_are_refused(harness: AppHarness, drive_files: Any) -> None:
    alice = await harness.user("alice")
    nb_id = (await alice.post("/api/notebooks", json={"name": "b.ipynb"})).json()["id"]
    before = drive_files()
    url = f"/api/notebooks/{nb_id}"
    headers = {"content-type": "application/json"}
    assert_error(await alice.put(url, content=b"{not json", headers=headers), 400, "invalid_json")
    wrong = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}
    assert_error(
        await alice.put(url, json={"content": wrong, "base_revision": 1}), 400, "invalid_notebook"
    )
    broken = notebook("x")
    broken["cells"][0]["cell_type"] = "spreadsheet"
    assert_error(
        await alice.put(url, json={"content": broken, "base_revision": 1}), 400, "invalid_notebook"
    )
    assert_error(await alice.put(url, json={"content": notebook("x")}), 422, "invalid_request")
    huge = b'{"content": "' + b"x" * (100 * 1024 * 1024) + b'"}'
    assert_error(await alice.put(url, content=huge, headers=headers), 413, "body_too_large")
    assert drive_files() == before
    assert (await alice.get(url)).json()["revision"] == 1


async def test_other_users_notebooks_are_invisible(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    nb_id = (await alice.post("/api/notebooks", json={"name": "secret.ipynb"})).json()["id"]
    assert (await bob.get("/api/notebooks")).json()["notebooks"] == []
    assert_error(await bob.get(f"/api/notebooks/{nb_id}"), 404, "no_such_notebook")
    payload = {"content": notebook("x"), "base_revision": 1}
    assert_error(await bob.put(f"/api/notebooks/{nb_id}", json=payload), 404)
    assert_error(await bob.patch(f"/api/notebooks/{nb_id}", json={"name": "x.ipynb"}), 404)
    assert_error(await bob.delete(f"/api/notebooks/{nb_id}"), 404)
    assert_error(await bob.get(f"/api/notebooks/{nb_id}/revisions"), 404)
    assert_error(await bob.post(f"/api/notebooks/{nb_id}/session"), 404)
    assert (await alice.get(f"/api/notebooks/{nb_id}")).status_code == 200


async def test_same_name_twice_is_a_conflict(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    assert (await alice.post("/api/notebooks", json={"name": "x.ipynb"})).status_code == 201
    assert_error(await alice.post("/api/notebooks", json={"name": "x.ipynb"}), 409, "name_taken")
