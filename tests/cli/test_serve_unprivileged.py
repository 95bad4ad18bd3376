"""`cloudbook serve` started by an ordinary user: runtimes are still boxes (a user namespace
made by bubblewrap itself, slirp4netns joined to it, rlimits for the limits) and a kernel
there cannot reach the service's data, the host's secrets or its loopback."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cloudbook.runtimes.kernel_client import KernelConnection
from tests.cli.test_serve_process import free_port, runtime_ids, wait_pool
from tests.processes import runtime_pids

pytestmark = pytest.mark.timeout(300)

SERVICE_UID = 1777  # an ordinary account with no home or groups (the runtimes' are 2000000+)
PROBE = r"""
import json, os, socket
def reach(port):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=3).close()
        return 'connected'
    except OSError as exc:
        return type(exc).__name__
def read(path):
    try:
        open(path, 'rb').read(1)
        return 'read'
    except OSError as exc:
        return type(exc).__name__
status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
print(json.dumps({
    'uid': os.getuid(), 'cwd': os.getcwd(),
    'data_dir': os.path.exists(DATA), 'shadow': read('/etc/shadow'),
    'service_port': reach(PORT), 'postgres': reach(5432),
    'cap_eff': status['CapEff'].strip(),
}))
"""


def _switch_user() -> None:
    os.setgroups([])
    os.setresgid(SERVICE_UID, SERVICE_UID, SERVICE_UID)
    os.setresuid(SERVICE_UID, SERVICE_UID, SERVICE_UID)


@pytest.fixture
def user_home() -> Iterator[Path]:
    """A folder the ordinary user owns, with an interpreter it can run: a venv made from the
    system's Python of this version, layered on this environment's packages (this one may
    live under /root, where an ordinary user cannot go)."""
    if os.geteuid() != 0:
        pytest.fail("this test switches to an ordinary user: run the suite as root (CI does)")
    system_python = shutil.which(
        f"python{sys.version_info[0]}.{sys.version_info[1]}", path="/usr/bin:/usr/local/bin"
    )
    assert system_python, "no system Python of this version for the ordinary user"
    home = Path(tempfile.mkdtemp(prefix="cloudbook-unprivileged-"))
    try:
        venv = home / "venv"
        subprocess.run([system_python, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = next(venv.glob("lib/python*/site-packages"))
        ours = [p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)]
        lines = [f"import site; site.addsitedir({p!r})" for p in ours]
        (site / "cloudbook-host.pth").write_text("\n".join(lines) + "\n")
        repo = str(Path(__file__).resolve().parents[2])
        (site / "cloudbook-repo.pth").write_text(repo + "\n")
        for path in [home, *home.rglob("*")]:
            os.lchown(path, SERVICE_UID, SERVICE_UID)
        yield home
    finally:
        subprocess.run(["pkill", "-KILL", "-u", str(SERVICE_UID)], check=False)
        shutil.rmtree(home, ignore_errors=True)


def _as_user(home: Path, *args: str, **kw: object) -> subprocess.Popen[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "CLOUDBOOK_POOL_SIZE": "1",
        "CLOUDBOOK_RUNTIME_NETWORK": "internet",
        "CLOUDBOOK_IMAGE_AUTOBUILD": "0",  # no colab image build from a test
    }
    return subprocess.Popen(
        [str(home / "venv" / "bin" / "python"), "-m", "cloudbook", *args],
        cwd=home,
        env=env,
        preexec_fn=_switch_user,
        text=True,
        **kw,  # type: ignore[call-overload]
    )


def test_an_ordinary_user_serves_boxed_runtimes(user_home: Path) -> None:
    data, port = user_home / "data", free_port()
    proc = _as_user(
        user_home,
        *("serve", "--no-browser", "--port", str(port), "--data-dir", str(data)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_pool(port, proc)
        # Every process of the runtime runs as the service's own uid on the host.
        pids = runtime_pids(runtime_ids(data))
        assert pids
        for pid in pids:
            uids = Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[:4]
            assert uids == [str(SERVICE_UID)] * 4, (pid, uids)
        maker = _as_user(
            user_home,
            "token",
            "create",
            "admin",
            "--data-dir",
            str(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = maker.communicate(timeout=60)
        assert maker.returncode == 0, err
        token = out.strip().splitlines()[-1]
        result = asyncio.run(_probe(port, token, data))
        assert result["uid"] == 0 and result["cwd"] == "/content"  # root inside, as on Colab
        assert result["cap_eff"] != "0000000000000000"  # its own namespace's, for apt and pip
        assert result["data_dir"] is False
        assert result["shadow"] == "PermissionError"
        assert result["service_port"] != "connected" and result["postgres"] != "connected"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


async def _probe(port: int, token: str, data: Path) -> dict[str, object]:
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=90) as http:
        nb = (await http.post("/api/notebooks", json={"name": "probe.ipynb"})).json()
        session = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
        runtime = (await http.get(f"/api/runtimes/{session['runtime_id']}")).json()
        assert runtime["limits"]["mechanism"] == "rlimit"  # no cgroup an ordinary user may write
        assert runtime["sandboxed"] is True
    code = PROBE.replace("DATA", repr(str(data))).replace("PORT", str(port))
    async with KernelConnection("ws" + base[4:] + session["channels_url"], headers) as conn:
        reply = await conn.execute(code)
    assert reply.status == "ok", reply.reply
    text = "".join(m["content"]["text"] for m in reply.iopub if m["header"]["msg_type"] == "stream")
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]
