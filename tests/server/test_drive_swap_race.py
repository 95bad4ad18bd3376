"""The symlink-swap race, from inside a real runtime: Alice's kernel swaps a folder of her
drive with a symlink to Bob's folder (renameat2 RENAME_EXCHANGE, in a loop) while she
hammers the notebooks and files APIs. Nothing of Bob's is ever read or written, and no
request fails with a 500."""

from __future__ import annotations

import json

import httpx
import pytest

from cloudbook.settings import Settings
from tests.server.live import LiveServer
from tests.server.test_notebooks_api import notebook
from tests.server.test_runtimes_api import attach, kernel, stdout_of

pytestmark = pytest.mark.timeout(300)
ROUNDS = 60
SECRET = "BOB-SECRET-7f3a"

START_SWAPPING = r"""
import ctypes, os, threading
from google.colab import drive
drive.mount('/content/drive')
base = '/content/drive/MyDrive'
os.symlink(TARGET, base + '/work-link')
libc = ctypes.CDLL(None, use_errno=True)
swap_state = {'stop': False, 'swaps': 0, 'errors': set()}
def _swap_loop():
    a, b = (base + '/work').encode(), (base + '/work-link').encode()
    while not swap_state['stop']:
        if libc.renameat2(-100, a, -100, b, 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
            swap_state['swaps'] += 1
        else:
            swap_state['errors'].add(ctypes.get_errno())
swapper = threading.Thread(target=_swap_loop, daemon=True)
swapper.start()
"""
STOP_SWAPPING = r"""
import json
swap_state['stop'] = True
swapper.join()
print(json.dumps({'swaps': swap_state['swaps'], 'errors': sorted(swap_state['errors'])}))
"""


async def test_swapping_a_folder_for_a_link_never_reaches_another_drive(
    live: LiveServer, settings: Settings
) -> None:
    alice_token = await live.token_for("alice")
    bob_token = await live.token_for("bob")
    bob_id = (await live.services.users.get_by_name("bob")).id
    bob_root = settings.drive_dir / str(bob_id)
    async with live.client(bob_token) as bob:
        r = await bob.post(
            "/api/notebooks", json={"name": "work/mine.ipynb", "content": notebook(SECRET)}
        )
        assert r.status_code == 201, r.text
        bob_nb = r.json()["id"]
    (bob_root / "work" / "notes.txt").write_text(SECRET)
    bob_files = {p.name: p.read_bytes() for p in (bob_root / "work").iterdir()}

    session = await attach(live, alice_token)
    rid = session["runtime_id"]
    async with live.client(alice_token) as alice:
        r = await alice.post(
            "/api/notebooks", json={"name": "work/mine.ipynb", "content": notebook("alice")}
        )
        assert r.status_code == 201, r.text
        nb_id, revision = r.json()["id"], r.json()["revision"]
        (settings.drive_dir / str((await alice.get("/api/me")).json()["id"]) / "work").joinpath(
            "notes.txt"
        ).write_text("alice's notes")

        answers: list[httpx.Response] = []
        async with kernel(live, alice_token, session) as conn:
            # The attacker's best case: the exact host path of Bob's folder.
            code = f"TARGET = {str(bob_root / 'work')!r}\n" + START_SWAPPING
            started = await conn.execute(code)
            assert started.status == "ok", started.reply
            names = ["work/mine.ipynb", "work/moved.ipynb"]
            for i in range(ROUNDS):
                answers.append(await alice.get(f"/api/notebooks/{nb_id}"))
                saved = await alice.put(
                    f"/api/notebooks/{nb_id}",
                    json={"content": notebook(f"alice {i}"), "base_revision": revision},
                )
                answers.append(saved)
                if saved.status_code == 200:
                    revision = saved.json()["revision"]
                answers.append(
                    await alice.patch(f"/api/notebooks/{nb_id}", json={"name": names[(i + 1) % 2]})
                )
                answers.append(
                    await alice.post("/api/notebooks", json={"name": f"work/new-{i}.ipynb"})
                )
                files = f"/api/runtimes/{rid}/files"
                answers.append(
                    await alice.get(files, params={"path": "/content/drive/MyDrive/work"})
                )
                answers.append(
                    await alice.get(
                        f"{files}/download",
                        params={"path": "/content/drive/MyDrive/work/notes.txt"},
                    )
                )
            stopped = await conn.execute(STOP_SWAPPING)
            assert stopped.status == "ok", stopped.reply
            report = json.loads(stdout_of(stopped).strip().splitlines()[-1])

    assert report["swaps"] > 0, report  # the race really ran
    failed = [
        f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}"
        for r in answers
        if r.status_code >= 500
    ]
    assert not failed, failed
    assert not [r for r in answers if SECRET in r.text]
    assert {p.name: p.read_bytes() for p in (bob_root / "work").iterdir()} == bob_files
    async with live.client(bob_token) as bob:
        got = (await bob.get(f"/api/notebooks/{bob_nb}")).json()
        assert got["revision"] == 1 and got["name"] == "work/mine.ipynb"
        assert got["content"]["cells"][0]["source"] == SECRET
        listed = (await bob.get("/api/notebooks")).json()["notebooks"]
        assert [n["id"] for n in listed] == [bob_nb]


async def test_links_and_fifos_planted_by_a_kernel_are_never_followed(
    live: LiveServer, settings: Settings
) -> None:
    """Alice's kernel plants a FIFO named like a notebook and a link to Bob's notebook in
    her drive: her listing neither hangs on the FIFO nor shows Bob's notebook."""
    alice_token = await live.token_for("alice")
    bob_token = await live.token_for("bob")
    async with live.client(bob_token) as bob:
        r = await bob.post("/api/notebooks", json={"name": "b.ipynb", "content": notebook(SECRET)})
        assert r.status_code == 201, r.text
    bob_file = settings.drive_dir / str((await live.services.users.get_by_name("bob")).id)
    session = await attach(live, alice_token)
    async with kernel(live, alice_token, session) as conn:
        code = (
            "import os\nfrom google.colab import drive\ndrive.mount('/content/drive')\n"
            "base = '/content/drive/MyDrive'\n"
            "os.mkfifo(base + '/trap.ipynb')\n"
            f"os.symlink({str(bob_file / 'b.ipynb')!r}, base + '/link.ipynb')\n"
            "print(sorted(os.listdir(base)))"
        )
        planted = await conn.execute(code)
        assert planted.status == "ok", planted.reply["content"]
        assert "trap.ipynb" in stdout_of(planted) and "link.ipynb" in stdout_of(planted)
    async with live.client(alice_token) as alice:
        listing = await alice.get("/api/notebooks")
        assert listing.status_code == 200, listing.text
        names = [n["name"] for n in listing.json()["notebooks"]]
        assert "trap.ipynb" not in names and "link.ipynb" not in names
        assert SECRET not in listing.text
