"""drive.mount('/content/drive') in runtimes the service hands out (the warm pool's too):
the user's own drive folder, read-write or read-only, and nobody else's."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from cloudbook.runtimes import mounts
from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server
from tests.server.test_runtimes_api import attach, kernel, stdout_of

pytestmark = pytest.mark.timeout(240)

PROBE = r"""
import json, os
from google.colab import drive
drive.mount('/content/drive')
with open('/content/drive/MyDrive/x.txt', 'w') as f:
    f.write('written in the runtime')
os.makedirs('/content/drive/MyDrive/sub', exist_ok=True)
with open('/content/drive/MyDrive/sub/y.txt', 'w') as f:
    f.write('nested')
seen = open('/content/drive/MyDrive/from-host.txt').read()
drive.mount('/content/ro', readonly=True)
try:
    open('/content/ro/MyDrive/z.txt', 'w').write('no')
    ro = 'writable'
except OSError as exc:
    ro = exc.__class__.__name__ + ':' + str(exc.errno)
print(json.dumps({'seen': seen, 'ro': ro, 'ro_lists': sorted(os.listdir('/content/ro/MyDrive')),
                  'listing': sorted(os.listdir('/content/drive/MyDrive'))}))
"""


async def _user_id(live: LiveServer, name: str) -> int:
    return int((await live.services.users.get_by_name(name)).id)


async def test_warm_runtime_mounts_its_users_drive(live: LiveServer, settings: Settings) -> None:
    alice = await live.token_for("alice")
    bob = await live.token_for("bob")
    alice_drive = settings.drive_dir / str(await _user_id(live, "alice"))
    bob_drive = settings.drive_dir / str(await _user_id(live, "bob"))
    alice_drive.mkdir(parents=True, exist_ok=True)
    bob_drive.mkdir(parents=True, exist_ok=True)
    (alice_drive / "from-host.txt").write_text("put there by the host")
    (bob_drive / "bobs-private.txt").write_text("bob only")

    warm = live.services.runtimes._pool[0].id
    session = await attach(live, alice)
    assert session["runtime_id"] == warm  # the warm runtime, not one started for alice
    # The pool starts the next warm runtime: alice's drive must stay mounted through it.
    await live.services.runtimes.wait_pool_ready(timeout=90)
    async with kernel(live, alice, session) as conn:
        result = await conn.execute(PROBE)
        assert result.status == "ok", result.reply
        out = json.loads(stdout_of(result).strip().splitlines()[-1])
    assert out["seen"] == "put there by the host"
    assert (alice_drive / "x.txt").read_text() == "written in the runtime"
    assert (alice_drive / "sub" / "y.txt").read_text() == "nested"
    sandboxed = shutil.which("bwrap") is not None
    if sandboxed:
        assert out["ro"] == "OSError:30"  # EROFS
        assert not (alice_drive / "z.txt").exists()
    assert "bobs-private.txt" not in out["listing"] and "n.ipynb" in out["listing"]

    # Bob's runtime: his drive, none of Alice's files.
    bob_session = await attach(live, bob)
    async with kernel(live, bob, bob_session) as conn:
        code = (
            "from google.colab import drive; drive.mount('/content/drive'); import os; "
            "print(sorted(os.listdir('/content/drive/MyDrive')))"
        )
        result = await conn.execute(code)
    listing = stdout_of(result).strip().splitlines()[-1]
    assert "bobs-private.txt" in listing and "x.txt" not in listing

    # Bob took the next warm runtime and the pool started another: alice's drive is intact.
    await live.services.runtimes.wait_pool_ready(timeout=90)
    async with kernel(live, alice, session) as conn:
        code = "open('/content/drive/MyDrive/later.txt', 'w').write('still mounted')"
        assert (await conn.execute(code)).status == "ok"
    assert (alice_drive / "later.txt").read_text() == "still mounted"

    # Deleting the runtime unmounts the drive and leaves its files alone.
    async with live.client(alice) as http:
        assert (await http.delete(f"/api/runtimes/{session['runtime_id']}")).status_code == 204
    assert (alice_drive / "x.txt").read_text() == "written in the runtime"
    assert (alice_drive / "from-host.txt").exists()
    assert not (settings.runtimes_dir / session["runtime_id"]).exists()
    if sandboxed and os.geteuid() == 0:
        assert mounts.mounts_below(settings.runtimes_dir / session["runtime_id"]) == []


async def test_reclaiming_orphans_never_deletes_a_mounted_drive(
    live: LiveServer, settings: Settings
) -> None:
    """A runtime folder left by a killed service, its drive still mounted: unmounted first."""
    alice = await live.token_for("alice")
    drive = settings.drive_dir / str(await _user_id(live, "alice"))
    session = await attach(live, alice)
    (drive / "keep.txt").write_text("keep me")
    provider = live.services.runtimes.provider
    # Forget the runtime as a killed service would, then reclaim it as the next start does.
    managed = live.services.runtimes._assigned.pop(session["runtime_id"])
    proc = provider._procs.pop(session["runtime_id"])
    await provider.reclaim_orphans([managed.runtime])
    proc.wait(10)  # reaped here: the provider no longer knows it
    assert (drive / "keep.txt").read_text() == "keep me"
    assert not (settings.runtimes_dir / session["runtime_id"]).exists()


# Unsandboxed runtimes have no /content (their working directory stands for it).
SIMPLE = (
    "from google.colab import drive\n"
    "drive.mount('{where}')\n"
    "print(open('{where}/MyDrive/in.txt').read())\n"
    "open('{where}/MyDrive/out.txt', 'w').write('from the runtime')"
)


@pytest.mark.parametrize("case", ["no-mount-privilege", "unsandboxed"])
async def test_drive_without_host_mounts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Where the host cannot mount (no CAP_SYS_ADMIN) the notebook gets a runtime started with
    its drive bound; unsandboxed runtimes get a link in their slot. Either way the drive works."""
    if case == "no-mount-privilege":
        monkeypatch.setattr(mounts, "available", lambda _dir: False)
    else:
        settings.sandbox = "none"
    settings.pool_size = 1
    async with live_server(settings) as live:
        await live.services.runtimes.wait_pool_ready(timeout=90)
        warm = live.services.runtimes._pool[0].id
        alice = await live.token_for("alice")
        drive = settings.drive_dir / str(await _user_id(live, "alice"))
        drive.mkdir(parents=True, exist_ok=True)
        (drive / "in.txt").write_text("host file")
        session = await attach(live, alice)
        assert (session["runtime_id"] == warm) is (case == "unsandboxed")
        async with kernel(live, alice, session) as conn:
            where = "drive" if case == "unsandboxed" else "/content/drive"
            result = await conn.execute(SIMPLE.format(where=where))
            assert result.status == "ok", result.reply["content"]
        assert "host file" in stdout_of(result)
        assert (drive / "out.txt").read_text() == "from the runtime"
        async with live.client(alice) as http:
            await http.delete(f"/api/runtimes/{session['runtime_id']}")
        assert (drive / "in.txt").exists()
