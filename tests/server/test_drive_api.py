"""The drive as the API shows it: files written anywhere appear, folders, Trash, uploads."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AppHarness, Client
from tests.server.test_notebooks_api import assert_error, notebook


def drive(harness: AppHarness, user_id: int = 2) -> Path:
    root = harness.settings.drive_dir / str(user_id)
    root.mkdir(parents=True, exist_ok=True)
    return root


async def names(client: Client, **params: str) -> list[str]:
    r = await client.get("/api/notebooks", params=params)
    assert r.status_code == 200, r.text
    return sorted(n["name"] for n in r.json()["notebooks"])


async def ids_by_name(client: Client) -> dict[str, str]:
    listed = (await client.get("/api/notebooks")).json()["notebooks"]
    return {n["name"]: n["id"] for n in listed}


async def test_files_written_into_the_drive_are_notebooks(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    root = drive(harness)
    (root / "sub").mkdir()
    (root / "sub" / "from_runtime.ipynb").write_text(json.dumps(notebook("print('hi')")))
    (root / "notes.txt").write_text("not a notebook")
    (root / ".hidden.ipynb").write_text("{}")
    assert await names(alice) == ["sub/from_runtime.ipynb"]
    nb_id = (await ids_by_name(alice))["sub/from_runtime.ipynb"]
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["content"]["cells"][0]["source"] == "print('hi')"
    # A save through the service writes the same file.
    r = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("x = 2"), "base_revision": 1}
    )
    assert r.status_code == 200, r.text
    assert "x = 2" in (root / "sub" / "from_runtime.ipynb").read_text()

    # Moved outside the service (same inode): the id stays.
    os.rename(root / "sub" / "from_runtime.ipynb", root / "moved.ipynb")
    assert await ids_by_name(alice) == {"moved.ipynb": nb_id}

    # Deleted outside the service: in the Trash, restorable from its newest revision.
    (root / "moved.ipynb").unlink()
    assert await names(alice) == []
    items = (await alice.get("/api/trash")).json()["items"]
    assert [(i["name"], i["notebook_id"]) for i in items] == [("moved.ipynb", nb_id)]
    r = await alice.post(f"/api/trash/{items[0]['id']}/restore")
    assert r.status_code == 200 and r.json()["name"] == "moved.ipynb"
    assert "x = 2" in (root / "moved.ipynb").read_text()
    assert (await alice.get(f"/api/notebooks/{nb_id}")).json()["content"]["cells"][0][
        "source"
    ] == "x = 2"


async def test_symlinks_in_the_drive_are_never_followed(
    harness: AppHarness, tmp_path: Path
) -> None:
    alice = await harness.user("alice")
    root = drive(harness)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "stolen.ipynb").write_text(json.dumps(notebook("secret")))
    os.symlink(outside / "stolen.ipynb", root / "link.ipynb")
    os.symlink(outside, root / "linkdir")
    assert await names(alice) == []
    assert (await alice.get("/api/notebooks")).json()["folders"] == []
    # Writing through a symlinked folder is refused and nothing lands outside.
    r = await alice.post("/api/notebooks", json={"name": "linkdir/new.ipynb"})
    assert_error(r, 409, "unsafe_path")
    assert sorted(p.name for p in outside.iterdir()) == ["stolen.ipynb"]
    nb_id = (await alice.post("/api/notebooks", json={"name": "ok.ipynb"})).json()["id"]
    r = await alice.patch(f"/api/notebooks/{nb_id}", json={"name": "linkdir/ok.ipynb"})
    assert_error(r, 409, "unsafe_path")
    assert (root / "ok.ipynb").is_file()
    assert_error(await alice.post("/api/folders", json={"path": "linkdir/x"}), 400)
    assert sorted(p.name for p in outside.iterdir()) == ["stolen.ipynb"]


async def test_folders_listing_breadcrumb_levels_and_search(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    assert (await alice.post("/api/folders", json={"path": "Projects"})).status_code == 201
    assert (await alice.post("/api/folders", json={"path": "Projects/2026"})).status_code == 201
    for name in ("top.ipynb", "Projects/plan.ipynb", "Projects/2026/Report.ipynb"):
        assert (await alice.post("/api/notebooks", json={"name": name})).status_code == 201
    top = (await alice.get("/api/notebooks", params={"folder": ""})).json()
    assert [n["name"] for n in top["notebooks"]] == ["top.ipynb"]
    assert [f["path"] for f in top["folders"]] == ["Projects"]
    inside = (await alice.get("/api/notebooks", params={"folder": "Projects"})).json()
    assert [n["name"] for n in inside["notebooks"]] == ["Projects/plan.ipynb"]
    assert [f["path"] for f in inside["folders"]] == ["Projects/2026"]
    assert await names(alice, q="REPORT") == ["Projects/2026/Report.ipynb"]
    assert await names(alice, q="plan") == ["Projects/plan.ipynb"]
    assert await names(alice, q="nothing like it") == []
    assert (await alice.get("/api/folders")).json()["folders"] == ["Projects", "Projects/2026"]
    assert_error(await alice.post("/api/folders", json={"path": "Projects"}), 409, "name_taken")
    assert_error(await alice.get("/api/notebooks", params={"folder": "../x"}), 400, "invalid_name")


async def test_rename_and_move_keep_ids(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    root = drive(harness)
    nb_id = (await alice.post("/api/notebooks", json={"name": "a.ipynb"})).json()["id"]
    await alice.post("/api/folders", json={"path": "Box"})
    r = await alice.patch(f"/api/notebooks/{nb_id}", json={"name": "Box/b.ipynb"})
    assert r.status_code == 200 and r.json()["id"] == nb_id
    assert (root / "Box" / "b.ipynb").is_file() and not (root / "a.ipynb").exists()
    # Folder rename and move into another folder: notebooks inside keep their ids.
    r = await alice.patch("/api/folders", json={"path": "Box", "new_path": "Crate"})
    assert r.status_code == 200 and r.json()["path"] == "Crate"
    await alice.post("/api/folders", json={"path": "Shelf"})
    r = await alice.patch("/api/folders", json={"path": "Crate", "new_path": "Shelf/Crate"})
    assert r.status_code == 200
    assert await ids_by_name(alice) == {"Shelf/Crate/b.ipynb": nb_id}
    assert_error(
        await alice.patch("/api/folders", json={"path": "Shelf", "new_path": "Shelf/Crate/x"}),
        400,
        "invalid_move",
    )
    assert_error(
        await alice.patch("/api/folders", json={"path": "Nope", "new_path": "Other"}),
        404,
        "no_such_folder",
    )
    other = (await alice.post("/api/notebooks", json={"name": "c.ipynb"})).json()["id"]
    r = await alice.patch(f"/api/notebooks/{other}", json={"name": "Shelf/Crate/b.ipynb"})
    assert_error(r, 409, "name_taken")
    assert (root / "c.ipynb").is_file()


async def test_delete_goes_to_trash_restore_and_empty(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    root = drive(harness)
    content = notebook("kept = True")
    nb_id = (
        await alice.post("/api/notebooks", json={"name": "keep.ipynb", "content": content})
    ).json()["id"]
    assert (await alice.delete(f"/api/notebooks/{nb_id}")).status_code == 204
    assert not (root / "keep.ipynb").exists()
    assert await names(alice) == []
    assert_error(await alice.get(f"/api/notebooks/{nb_id}"), 404, "no_such_notebook")
    items = (await alice.get("/api/trash")).json()["items"]
    assert [(i["kind"], i["name"], i["notebook_id"]) for i in items] == [
        ("notebook", "keep.ipynb", nb_id)
    ]
    # Its name was taken meanwhile: restored as "keep (1).ipynb", same id and content.
    await alice.post("/api/notebooks", json={"name": "keep.ipynb"})
    r = await alice.post(f"/api/trash/{items[0]['id']}/restore")
    assert r.status_code == 200 and r.json()["name"] == "keep (1).ipynb"
    got = (await alice.get(f"/api/notebooks/{nb_id}")).json()
    assert got["name"] == "keep (1).ipynb" and got["content"]["cells"][0]["source"] == "kept = True"
    assert (await alice.get("/api/trash")).json()["items"] == []

    # A folder goes to the Trash with its notebooks and comes back whole.
    await alice.post("/api/folders", json={"path": "F"})
    inner = (await alice.post("/api/notebooks", json={"name": "F/in.ipynb"})).json()["id"]
    assert (await alice.delete("/api/folders", params={"path": "F"})).status_code == 204
    assert not (root / "F").exists() and await names(alice) == sorted(
        ["keep.ipynb", "keep (1).ipynb"]
    )
    items = (await alice.get("/api/trash")).json()["items"]
    assert [(i["kind"], i["name"], i["notebooks"]) for i in items] == [("folder", "F", 1)]
    assert (await alice.post(f"/api/trash/{items[0]['id']}/restore")).json()["name"] == "F"
    assert (await ids_by_name(alice))["F/in.ipynb"] == inner

    # Emptying deletes for good.
    await alice.delete(f"/api/notebooks/{inner}")
    await alice.delete(f"/api/notebooks/{nb_id}")
    r = await alice.delete("/api/trash")
    assert r.status_code == 200 and r.json() == {"deleted": 2}
    assert (await alice.get("/api/trash")).json()["items"] == []
    trash_root = harness.settings.data_dir / "trash" / "2"
    assert not trash_root.exists() or list(trash_root.iterdir()) == []
    assert_error(await alice.get(f"/api/notebooks/{inner}"), 404)
    # One item deleted forever.
    gone = (await alice.post("/api/notebooks", json={"name": "gone.ipynb"})).json()["id"]
    await alice.delete(f"/api/notebooks/{gone}")
    item = (await alice.get("/api/trash")).json()["items"][0]["id"]
    assert (await alice.delete(f"/api/trash/{item}")).status_code == 204
    assert (await alice.get("/api/trash")).json()["items"] == []
    assert_error(await alice.post(f"/api/trash/{item}/restore"), 404, "no_such_trash_item")


async def test_upload_import_duplicate_download(harness: AppHarness, drive_files: Any) -> None:
    alice = await harness.user("alice")
    up = notebook("uploaded()")
    r = await alice.post("/api/notebooks/import", json={"upload": up, "name": "up.ipynb"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["name"] == "up.ipynb" and first["revision"] == 1
    r = await alice.post("/api/notebooks/import", json={"upload": up, "name": "up.ipynb"})
    assert r.status_code == 201 and r.json()["name"] == "up (1).ipynb"
    r = await alice.post(
        "/api/notebooks", json={"name": "up.ipynb", "content": up, "if_exists": "rename"}
    )
    assert r.json()["name"] == "up (2).ipynb"
    before = drive_files()
    broken = {"nbformat": 4, "cells": "no"}
    assert_error(
        await alice.post("/api/notebooks/import", json={"upload": broken, "name": "b.ipynb"}),
        400,
        "invalid_notebook",
    )
    assert_error(
        await alice.post("/api/notebooks/import", json={"upload": up, "name": "../b.ipynb"}),
        400,
        "invalid_name",
    )
    assert_error(await alice.post("/api/notebooks/import", json={"name": "x.ipynb"}), 400)
    assert drive_files() == before

    r = await alice.post(f"/api/notebooks/{first['id']}/duplicate", json={})
    assert r.status_code == 201 and r.json()["name"] == "Copy of up.ipynb"
    assert r.json()["id"] != first["id"]
    r = await alice.post(f"/api/notebooks/{first['id']}/duplicate", json={})
    assert r.json()["name"] == "Copy of up (1).ipynb"
    before = drive_files()
    r = await alice.post(f"/api/notebooks/{first['id']}/duplicate", json={"name": "../x.ipynb"})
    assert_error(r, 400, "invalid_name")
    assert_error(await alice.delete("/api/folders", params={"path": "../x"}), 400, "invalid_name")
    assert_error(await alice.get("/api/notebooks/not-an-id/file"), 404, "no_such_notebook")
    assert_error(await alice.post("/api/trash/not-an-id/restore"), 404, "no_such_trash_item")
    assert drive_files() == before

    r = await alice.get(f"/api/notebooks/{first['id']}/file")
    assert r.status_code == 200
    assert (
        "attachment" in r.headers["content-disposition"]
        and "up.ipynb" in r.headers["content-disposition"]
    )
    assert json.loads(r.content)["cells"][0]["source"] == "uploaded()"


async def test_opened_notebooks_carry_opened_at(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    nb_id = (await alice.post("/api/notebooks", json={"name": "r.ipynb"})).json()["id"]
    listed = (await alice.get("/api/notebooks")).json()["notebooks"]
    assert listed[0]["opened_at"] is None
    await alice.get(f"/api/notebooks/{nb_id}")
    listed = (await alice.get("/api/notebooks")).json()["notebooks"]
    assert listed[0]["opened_at"] is not None


async def test_other_users_drive_objects_answer_404(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    nb_id = (await alice.post("/api/notebooks", json={"name": "F/mine.ipynb"})).json()["id"]
    assert_error(await bob.post(f"/api/notebooks/{nb_id}/duplicate", json={}), 404)
    assert_error(await bob.get(f"/api/notebooks/{nb_id}/file"), 404)
    assert (await bob.get("/api/notebooks", params={"folder": "F"})).json()["notebooks"] == []
    assert (await bob.get("/api/folders")).json()["folders"] == []
    assert_error(await bob.delete("/api/folders", params={"path": "F"}), 404, "no_such_folder")
    assert_error(
        await bob.patch("/api/folders", json={"path": "F", "new_path": "G"}), 404, "no_such_folder"
    )
    await alice.delete(f"/api/notebooks/{nb_id}")
    item = (await alice.get("/api/trash")).json()["items"][0]["id"]
    assert (await bob.get("/api/trash")).json()["items"] == []
    assert_error(await bob.post(f"/api/trash/{item}/restore"), 404, "no_such_trash_item")
    assert_error(await bob.delete(f"/api/trash/{item}"), 404, "no_such_trash_item")
    assert (await bob.delete("/api/trash")).json() == {"deleted": 0}
    assert len((await alice.get("/api/trash")).json()["items"]) == 1
    anon = harness.anonymous()
    for method, url in (
        ("GET", "/api/trash"),
        ("POST", "/api/folders"),
        ("GET", "/api/folders"),
        ("POST", "/api/notebooks/import"),
    ):
        assert (await anon.request(method, url, json={})).status_code == 401


@pytest.mark.parametrize("path", ["../up", "a/../..", "/abs", "x.ipynb", ".hidden", "", "a\\b"])
async def test_bad_folder_names_change_nothing(
    harness: AppHarness, drive_files: Any, path: str
) -> None:
    alice = await harness.user("alice")
    await alice.post("/api/folders", json={"path": "ok"})
    before = drive_files()
    dirs_before = sorted(str(p) for p in harness.settings.drive_dir.rglob("*"))
    assert_error(await alice.post("/api/folders", json={"path": path}), 400, "invalid_name")
    r = await alice.patch("/api/folders", json={"path": "ok", "new_path": path})
    assert_error(r, 400, "invalid_name")
    assert drive_files() == before
    assert sorted(str(p) for p in harness.settings.drive_dir.rglob("*")) == dirs_before


async def test_a_missing_drive_folder_trashes_nothing(harness: AppHarness) -> None:
    import shutil

    alice = await harness.user("alice")
    nb_id = (await alice.post("/api/notebooks", json={"name": "kept.ipynb"})).json()["id"]
    shutil.rmtree(drive(harness))  # e.g. the drive's storage is not mounted
    assert await ids_by_name(alice) == {"kept.ipynb": nb_id}
    assert (await alice.get("/api/trash")).json()["items"] == []
    assert (await alice.get(f"/api/notebooks/{nb_id}")).json()["content"]["nbformat"] == 4
