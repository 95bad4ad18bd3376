"""A runtime can put symlinks anywhere in its user's drive: the notebooks API must never
follow one into another user's files, and answers a clear 4xx instead of a 500."""

from __future__ import annotations

from pathlib import Path

from cloudbook.settings import Settings
from tests.conftest import AppHarness
from tests.server.test_notebooks_api import assert_error, notebook


async def test_links_in_a_drive_never_reach_another_users_notebook(
    harness: AppHarness, settings: Settings
) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    r = await bob.post(
        "/api/notebooks", json={"name": "work/private.ipynb", "content": notebook("BOB-SECRET")}
    )
    assert r.status_code == 201, r.text
    r = await alice.post(
        "/api/notebooks", json={"name": "work/mine.ipynb", "content": notebook("alice")}
    )
    nb_id = r.json()["id"]
    bob_me = (await bob.get("/api/me")).json()["id"]
    alice_me = (await alice.get("/api/me")).json()["id"]
    bob_root: Path = settings.drive_dir / str(bob_me)
    alice_root: Path = settings.drive_dir / str(alice_me)
    bob_file = bob_root / "work" / "private.ipynb"
    before = bob_file.read_bytes()

    # Alice's runtime swaps her folder for a link to Bob's, with the same file name.
    (alice_root / "work").rename(alice_root / "work.real")
    (alice_root / "work").symlink_to(bob_root / "work")
    (bob_root / "work" / "mine.ipynb").write_bytes(before)

    got = await alice.get(f"/api/notebooks/{nb_id}")
    assert got.status_code == 200, got.text
    assert "BOB-SECRET" not in got.text and "alice" in got.text  # the stored revision
    saved = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("overwrite"), "base_revision": 1}
    )
    assert_error(saved, 409, "unsafe_path")
    assert_error(
        await alice.patch(f"/api/notebooks/{nb_id}", json={"name": "work/renamed.ipynb"}),
        409,
        "unsafe_path",
    )
    assert_error(
        await alice.post("/api/notebooks", json={"name": "work/new.ipynb"}), 409, "unsafe_path"
    )
    assert (await alice.delete(f"/api/notebooks/{nb_id}")).status_code == 204

    assert bob_file.read_bytes() == before
    assert (bob_root / "work" / "mine.ipynb").read_bytes() == before
    assert sorted(p.name for p in (bob_root / "work").iterdir()) == ["mine.ipynb", "private.ipynb"]


async def test_a_linked_notebook_file_is_not_written_through(
    harness: AppHarness, settings: Settings
) -> None:
    alice = await harness.user("alice")
    r = await alice.post("/api/notebooks", json={"name": "nb.ipynb"})
    nb_id = r.json()["id"]
    root = settings.drive_dir / str((await alice.get("/api/me")).json()["id"])
    outside = settings.data_dir / "outside.txt"
    outside.write_text("host file")
    (root / "nb.ipynb").unlink()
    (root / "nb.ipynb").symlink_to(outside)
    r = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("x"), "base_revision": 1}
    )
    assert_error(r, 409, "unsafe_path")
    assert outside.read_text() == "host file"
    # Nothing changed: the revision is still 1.
    assert (await alice.get(f"/api/notebooks/{nb_id}")).json()["revision"] == 1


async def test_a_fifo_in_place_of_a_notebook_neither_hangs_nor_fails(
    harness: AppHarness, settings: Settings
) -> None:
    import os

    alice = await harness.user("alice")
    nb_id = (
        await alice.post("/api/notebooks", json={"name": "nb.ipynb", "content": notebook("kept")})
    ).json()["id"]
    root = settings.drive_dir / str((await alice.get("/api/me")).json()["id"])
    (root / "nb.ipynb").unlink()
    os.mkfifo(root / "nb.ipynb")  # a runtime can make one; opening it must not block
    got = await alice.get(f"/api/notebooks/{nb_id}")
    assert got.status_code == 200 and got.json()["content"]["cells"][0]["source"] == "kept"
    r = await alice.put(
        f"/api/notebooks/{nb_id}", json={"content": notebook("x"), "base_revision": 1}
    )
    assert_error(r, 409, "unsafe_path")
