"""The escape suite: attacks run from inside a real sandboxed kernel, one test per attack.

Each asserts that the attack fails *and* that the host is unchanged. Two runtimes
share the module: ``victim`` (another user's, with a secret in /content and a kernel
listening) and ``attacker``. The service's data dir is faked next to them
(cloudbook.db, secret.key) and a TCP listener stands for the service's port.
Runs where the service runs as root (as `make serve` and CI do): the overlays and the
per-runtime host uid exist only there.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from tests.jupyter_fixtures import KernelWsClient
from tests.runtimes.conftest import Runtimes, needs_bwrap, run

pytestmark = [
    needs_bwrap,
    pytest.mark.skipif(os.geteuid() != 0, reason="the box's host uid switch needs root"),
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(300),
]

SECRET = "victim-secret-d41d8cd98f00"


@dataclass
class Box:
    runtimes: Runtimes
    data_dir: Path
    attacker: KernelWsClient
    victim: KernelWsClient
    victim_content: Path
    victim_runtime_dir: Path


class Listener:
    """A TCP server on the host that records every connection it accepts."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener("0.0.0.0")
    yield server
    server.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def box(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Box]:
    data = tmp_path_factory.mktemp("service")
    (data / "cloudbook.db").write_text("the service's database")
    (data / "secret.key").write_text("the service's key")
    (data / "secret.key").chmod(0o600)
    harness = Runtimes(data)
    try:
        provider = harness.provider("bwrap")
        victim_rt = await harness.start(provider)
        attacker_rt = await harness.start(provider)
        victim = await harness.kernel(victim_rt)
        attacker = await harness.kernel(attacker_rt)
        await run(victim, f"open('/content/private.txt', 'w').write({SECRET!r})")
        yield Box(
            harness,
            data,
            attacker,
            victim,
            Path(str(victim_rt.content_dir)),
            harness.runtimes_dir / victim_rt.runtime_id,
        )
    finally:
        await harness.close()


async def attempt(kernel: KernelWsClient, code: str) -> dict[str, object]:
    """Run ``code`` (which sets ``result``) in the kernel; return ``result`` as JSON."""
    wrapped = f"import json\nresult = {{}}\n{code}\nprint(json.dumps(result))"
    return dict(json.loads((await run(kernel, wrapped)).strip().splitlines()[-1]))


CONNECT = """
import socket, errno
def connect(host, port):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        return "connected"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()
"""


def host_ipv4() -> list[str]:
    import psutil

    return [
        a.address
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family == socket.AF_INET
    ]


async def test_file_handle_escape(box: Box) -> None:
    code = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class Handle(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int), ("f", ctypes.c_ubyte * 128)]
h = Handle(128, 0)
mount_id = ctypes.c_int()
r = libc.name_to_handle_at(-100, b"/content", ctypes.byref(h), ctypes.byref(mount_id), 0)
result["name_to_handle_at"] = ctypes.get_errno() if r else 0
# The ext4 root inode (2, generation 0) as FILEID_INO32_GEN: the classic shocker handle.
root = Handle(8, 1)
root.f[0] = 2
fd = os.open("/content", os.O_RDONLY)
r = libc.open_by_handle_at(fd, ctypes.byref(root), os.O_RDONLY)
result["open_by_handle_at"] = ctypes.get_errno() if r < 0 else "opened"
"""
    result = await attempt(box.attacker, code)
    assert result == {"name_to_handle_at": 1, "open_by_handle_at": 1}  # EPERM, seccomp
    assert (box.data_dir / "secret.key").read_text() == "the service's key"


async def test_service_data_dir_db_and_key_unreachable(box: Box) -> None:
    paths = [
        str(box.data_dir),
        str(box.data_dir / "cloudbook.db"),
        str(box.data_dir / "secret.key"),
    ]
    code = f"""
import os
result["visible"] = [p for p in {paths!r} if os.path.exists(p)]
result["mounts"] = [l for l in open("/proc/self/mountinfo") if {str(box.data_dir)!r} in l]
"""
    result = await attempt(box.attacker, code)
    assert result["visible"] == []
    # Mount points name their source folders: only the attacker's own runtime folder.
    own = f"/runtimes/{box.runtimes.started[1][1].runtime_id}/"
    assert [line for line in result["mounts"] if own not in str(line)] == []  # type: ignore[attr-defined]
    assert (box.data_dir / "cloudbook.db").read_text() == "the service's database"


async def test_etc_shadow_holds_no_host_hash(box: Box) -> None:
    host_hashes = {
        line.split(":")[1]
        for line in Path("/etc/shadow").read_text().splitlines()
        if line.count(":") > 2 and len(line.split(":")[1]) > 2
    }
    code = """
try:
    result["shadow"] = open("/etc/shadow").read()
except OSError as e:
    result["shadow"] = ""
    result["error"] = e.errno
for name in ("/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"):
    try:
        result.setdefault("others", []).append(open(name).read())
    except OSError:
        pass
"""
    result = await attempt(box.attacker, code)
    inside = str(result["shadow"]) + "".join(result.get("others", []))  # type: ignore[arg-type]
    assert inside.startswith("root:*:") or "error" in result
    assert not [h for h in host_hashes if h in inside]


async def test_other_runtime_content_and_connection_file(box: Box) -> None:
    targets = [str(box.victim_content / "private.txt"), str(box.victim_runtime_dir)]
    targets += [str(p) for p in (box.victim_runtime_dir / "jupyter-runtime").glob("kernel-*.json")]
    assert len(targets) > 2  # the victim's connection file exists on the host
    code = f"""
import os, subprocess
result["visible"] = [p for p in {targets!r} if os.path.exists(p)]
found = subprocess.run(["grep", "-rlsF", {SECRET!r}, "/content", "/tmp", "/run", "/var", "/opt"],
                       capture_output=True, text=True).stdout.split()
result["found"] = found
"""
    assert await attempt(box.attacker, code) == {"visible": [], "found": []}
    assert (box.victim_content / "private.txt").read_text() == SECRET


async def test_service_port_unreachable(box: Box, listener: Listener) -> None:
    hosts = ["127.0.0.1", "10.0.2.2", *host_ipv4()]
    code = CONNECT + f"result = {{h: connect(h, {listener.port}) for h in {hosts!r}}}"
    result = await attempt(box.attacker, code)
    assert "connected" not in result.values(), result
    assert listener.accepted == 0


async def test_postgresql_unreachable(box: Box) -> None:
    code = CONNECT + "result = {h: connect(h, 5432) for h in ('127.0.0.1', '10.0.2.2')}"
    result = await attempt(box.attacker, code)
    assert "connected" not in result.values(), result


async def test_other_runtime_unreachable_over_loopback_and_host_ips(box: Box) -> None:
    opened = await attempt(
        box.victim,
        "import socket\nserver = socket.socket()\nserver.bind(('0.0.0.0', 0))\nserver.listen()\n"
        "result['port'] = server.getsockname()[1]",
    )
    port = int(str(opened["port"]))
    hosts = ["127.0.0.1", "10.0.2.2", "10.0.2.100", *host_ipv4()]
    result = await attempt(
        box.attacker, CONNECT + f"result = {{h: connect(h, {port}) for h in {hosts!r}}}"
    )
    assert "connected" not in result.values(), result


async def test_other_kernels_zmq_ports_unreachable(box: Box) -> None:
    files = list((box.victim_runtime_dir / "jupyter-runtime").glob("kernel-*.json"))
    info = json.loads(files[0].read_text())
    ports = [info[k] for k in ("shell_port", "iopub_port", "control_port", "stdin_port")]
    code = CONNECT + f"result = {{str(p): connect('127.0.0.1', p) for p in {ports!r}}}"
    result = await attempt(box.attacker, code)
    assert "connected" not in result.values(), result


async def test_mount_refused(box: Box) -> None:
    code = """
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
os.makedirs("/tmp/m", exist_ok=True)
r = libc.mount(b"none", b"/tmp/m", b"tmpfs", 0, None)
result["mount"] = ctypes.get_errno() if r else "mounted"
r = libc.unshare(0x10000000 | 0x00020000)  # a user + mount namespace of its own
result["unshare"] = ctypes.get_errno() if r else "unshared"
result["mount_cmd"] = subprocess.run(["mount", "-t", "tmpfs", "none", "/tmp/m"],
                                     capture_output=True).returncode
"""
    result = await attempt(box.attacker, code)
    assert result["mount"] == 1 and result["unshare"] == 1 and result["mount_cmd"] != 0


async def test_ptrace_refused(box: Box) -> None:
    code = f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
result["pid1"] = ctypes.get_errno() if libc.ptrace(16, 1, 0, 0) else "attached"  # PTRACE_ATTACH
mine = "/proc/{os.getpid()}/cmdline"  # the test process's pid on the host
result["service_visible"] = os.path.exists(mine) and "pytest" in open(mine).read()
"""
    result = await attempt(box.attacker, code)
    assert result == {"pid1": 1, "service_visible": False}


async def test_no_host_capabilities_no_new_privs_seccomp(box: Box) -> None:
    inside = await attempt(
        box.attacker,
        "status = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
        "result = {k: status[k].strip() for k in ('NoNewPrivs', 'Seccomp', 'CapBnd')}\n"
        "import os; result['pid'] = os.getpid(); result['uid'] = os.getuid()",
    )
    assert inside["NoNewPrivs"] == "1" and inside["Seccomp"] == "2" and inside["uid"] == 0
    caps = int(str(inside["CapBnd"]), 16)
    for cap in (2, 12, 16, 19, 21, 38, 39):  # DAC_READ_SEARCH NET_ADMIN MODULE PTRACE ADMIN ...
        assert not caps & (1 << cap)
    # Seen from the host: an unprivileged uid in a user namespace that is not the host's.
    kernels = [
        p
        for p in Path("/proc").iterdir()
        if p.name.isdigit()
        and "ipykernel" in _read(p / "cmdline")
        and box.runtimes.started[1][1].runtime_id in _read(p / "environ")
    ]
    assert kernels
    status = dict(line.split(":", 1) for line in _read(kernels[0] / "status").splitlines())
    assert status["Uid"].split()[0] != "0"
    assert os.readlink(kernels[0] / "ns" / "user") != os.readlink("/proc/self/ns/user")


def _read(path: Path) -> str:
    try:
        return path.read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


async def test_token_in_no_environment(box: Box) -> None:
    token = box.runtimes.started[1][1].token
    code = """
import os
seen = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    for name in ("environ", "cmdline"):
        try:
            seen.append(open(f"/proc/{pid}/{name}", "rb").read().decode(errors="replace"))
        except OSError:
            pass
result["blob"] = "\\n".join(seen)
result["pid1_environ"] = os.access("/proc/1/environ", os.R_OK)
"""
    result = await attempt(box.attacker, code)
    assert token not in str(result["blob"]) and "JUPYTER_TOKEN" not in str(result["blob"])


async def test_writing_usr_stays_in_the_runtime(box: Box) -> None:
    code = """
import os, subprocess
open("/usr/bin/cloudbook-escape-probe", "w").write("#!/bin/sh\\necho inside\\n")
os.chmod("/usr/bin/cloudbook-escape-probe", 0o755)
open("/etc/cloudbook-escape-probe", "w").write("x")
result["run"] = subprocess.run(["cloudbook-escape-probe"], capture_output=True, text=True).stdout
"""
    assert (await attempt(box.attacker, code))["run"] == "inside\n"
    assert not Path("/usr/bin/cloudbook-escape-probe").exists()
    assert not Path("/etc/cloudbook-escape-probe").exists()
    seen = await attempt(
        box.victim, "import os\nresult['x'] = os.path.exists('/usr/bin/cloudbook-escape-probe')"
    )
    assert seen == {"x": False}


async def test_metadata_and_private_ranges_unreachable(box: Box) -> None:
    hosts = ["169.254.169.254", "192.168.1.1", "10.1.2.3", "172.16.0.1", "100.64.0.1"]
    code = CONNECT + f"result = {{h: connect(h, 80) for h in {hosts!r}}}"
    result = await attempt(box.attacker, code)
    assert set(result.values()) <= {"ENETUNREACH", "EHOSTUNREACH"}, result


async def test_root_inside_and_chown(box: Box) -> None:
    code = """
import os, subprocess
result["id"] = subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip()
open("/content/owned", "w").write("x")
os.chown("/content/owned", 0, 0)
result["chown"] = subprocess.run(["chown", "root:root", "/usr/bin/env"]).returncode
"""
    assert await attempt(box.attacker, code) == {"id": "0", "chown": 0}


async def test_kill_all_spares_the_host_and_other_runtimes(tmp_path: Path) -> None:
    sentinel = subprocess.Popen(["sleep", "600"], start_new_session=True)
    harness = Runtimes(tmp_path / "data")
    try:
        provider = harness.provider("bwrap")
        other = await harness.kernel(await harness.start(provider))
        attacker = await harness.kernel(await harness.start(provider))
        with contextlib.suppress(Exception):  # the attacker's own kernel dies with the rest
            await attacker.execute("import os, signal\nos.kill(-1, signal.SIGKILL)", timeout=5)
        assert sentinel.poll() is None
        assert (await run(other, "print(1 + 1)")).strip() == "2"
    finally:
        sentinel.kill()
        sentinel.wait()
        await harness.close()


async def test_pip_install_through_the_user_mode_network(box: Box) -> None:
    # --isolated: no local wheel folder or index from the environment, PyPI itself.
    code = """
import subprocess, sys
r = subprocess.run([sys.executable, "-m", "pip", "install", "--isolated", "--no-cache-dir",
                    "--index-url", "https://pypi.org/simple", "--target", "/tmp/pipt",
                    "--no-deps", "pyjokes==0.8.3"], capture_output=True, text=True)
result["rc"] = r.returncode
result["err"] = r.stderr[-500:]
import os
result["installed"] = os.path.isdir("/tmp/pipt/pyjokes")
"""
    result = await attempt(box.attacker, code)
    assert result["rc"] == 0 and result["installed"], result


async def test_apt_install_stays_in_its_runtime(box: Box) -> None:
    # Started in the background and waited for in short steps: one long execute request
    # would outlive the kernel WebSocket's keepalive window.
    await run(
        box.attacker,
        "import subprocess\n"
        "apt = subprocess.Popen('apt-get update -qq && apt-get install -y -qq graphviz"
        " && dot -V', shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)",
    )
    step = "try:\n    apt.wait(10)\nexcept subprocess.TimeoutExpired:\n    pass\nprint(apt.poll())"
    for _ in range(30):
        if (await run(box.attacker, step)).strip() != "None":
            break
    result = await attempt(
        box.attacker, "result = {'rc': apt.returncode, 'out': apt.stdout.read()[-800:]}"
    )
    assert result["rc"] == 0 and "graphviz version" in str(result["out"]), result
    assert not Path("/usr/bin/dot").exists()  # not the host's
    seen = await attempt(box.victim, "import shutil\nresult['dot'] = shutil.which('dot')")
    assert seen == {"dot": None}  # nor the next runtime's
