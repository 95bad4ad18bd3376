"""What a sandboxed runtime sees: its own /content, the Python install, and nothing of the
service's data, other runtimes or the rest of the host's files."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from cloudbook.runtimes.sandbox import HOSTNAME, bwrap_command, package_dir, python_dirs
from tests.runtimes.conftest import Runtimes, needs_bwrap, run, wait_until

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, socket, sys
paths = json.loads({paths!r})
print(json.dumps({{
    "exists": {{p: os.path.exists(p) for p in paths}},
    "hostname": socket.gethostname(),
    "resolved": socket.gethostbyname(socket.gethostname()),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "root_home": sorted(os.listdir("/root")),
    "tmp": sorted(os.listdir("/tmp")),
    "prefix": sys.prefix,
}}))
"""


@needs_bwrap
async def test_sandbox_sees_only_its_own_files(runtimes: Runtimes, tmp_path: Path) -> None:
    provider = runtimes.provider("bwrap")
    runtime = await runtimes.start(provider)
    other = await runtimes.start(provider)
    secret = runtimes.data_dir / "drive" / "someone" / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("private")
    kernel = await runtimes.kernel(runtime)

    paths = {
        "data dir": str(runtimes.data_dir),
        "a user's file": str(secret),
        "the test's tmp dir": str(tmp_path),
        "other runtime's content": str(other.content_dir),
        "own content on the host": str(runtime.content_dir),
        "the project": str(ROOT / "pyproject.toml"),
        "the service's home": str(Path.home() / ".bashrc"),
        "python prefix": sys.prefix,
        "python base prefix": sys.base_prefix,
        "cloudbook package": package_dir(),
    }
    seen = json.loads(await run(kernel, PROBE.format(paths=json.dumps(list(paths.values())))))
    visible = {name for name, p in paths.items() if seen["exists"][p]}
    assert visible == {"python prefix", "python base prefix"}
    assert seen["prefix"] == sys.prefix
    assert seen["hostname"] == HOSTNAME != socket.gethostname()
    assert seen["resolved"].startswith("127.")  # /etc/hosts knows the sandbox's name
    # Its own pid namespace: a handful of processes, none of the host's.
    assert os.getpid() not in seen["pids"] and len(seen["pids"]) < 10
    # A private /tmp: empty but for the way to a Python install that itself lives under /tmp.
    python_under_tmp = {
        Path(p).relative_to("/tmp").parts[0]
        for p in (sys.prefix, sys.base_prefix)
        if Path(p).is_relative_to("/tmp")
    }
    assert set(seen["tmp"]) == python_under_tmp

    # /content is the host folder; the Python install is read-only; /usr and /etc are the
    # runtime's own overlays where the service runs as root (never the host's folders).
    await run(kernel, "open('/content/out.txt', 'w').write('written inside')")
    assert (Path(str(runtime.content_dir)) / "out.txt").read_text() == "written inside"
    overlays = os.geteuid() == 0
    for target in ("/usr/cloudbook-test", f"{sys.prefix}/cloudbook-test", "/etc/cloudbook-test"):
        err = await run(
            kernel,
            f"try:\n    open({target!r}, 'w')\nexcept OSError as e:\n    print(e.errno)",
        )
        writable = overlays and not target.startswith(sys.prefix)
        assert err.strip() == ("" if writable else "30"), target  # EROFS
        assert not os.path.exists(target)


@needs_bwrap
async def test_sandboxed_user_processes_die_with_the_runtime(runtimes: Runtimes) -> None:
    """A daemonised process inside cannot outlive its runtime: the pid namespace goes."""
    from cloudbook.runtimes.local import runtime_pids

    provider = runtimes.provider("bwrap")
    runtime = await runtimes.start(provider)
    kernel = await runtimes.kernel(runtime)
    duration = f"600.{os.getpid()}{len(runtimes.started)}"  # tells our sleep from others
    code = (
        "import os, subprocess\n"
        "env = {k: v for k, v in os.environ.items() if k != 'CLOUDBOOK_RUNTIME_ID'}\n"
        f"subprocess.Popen(['setsid', 'sleep', '{duration}'], env=env)\n"
    )
    await run(kernel, code)  # no marker: only the namespace can find it
    wait_until(lambda: _sleeping(duration), 10, "the sleep to start")
    await provider.stop(runtime)
    assert not _sleeping(duration)
    assert runtime_pids(runtime.runtime_id) == []


def _sleeping(duration: str) -> list[int]:
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    return [p for p in pids if _cmdline(p) == f"sleep {duration}"]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _mounts(args: list[str]) -> list[tuple[str, str]]:
    """(option, destination) of each mount in a bwrap command line, in order."""
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(args) and args[i] != "--":
        a = args[i]
        if a in ("--ro-bind", "--bind", "--dev-bind", "--symlink"):
            found.append((a, args[i + 2]))
            i += 3
        elif a in ("--tmpfs", "--proc", "--dev", "--dir"):
            found.append((a, args[i + 1]))
            i += 2
        else:
            i += 1
    return found


def test_command_line_order_and_binds(tmp_path: Path) -> None:
    content = tmp_path / "data" / "runtimes" / "r1" / "content"
    args = bwrap_command("/usr/bin/bwrap", content, ["python", "-V"], gpu=False)
    mounts = _mounts(args)
    dests = [d for _, d in mounts]
    assert args[-3:] == ["--", "python", "-V"]
    for flag in ("--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"):
        assert flag in args
    assert "--unshare-net" not in args and "--unshare-all" not in args
    assert mounts[0] == ("--tmpfs", "/")
    # Private tmpfs first, the Python prefixes (may live under /root or /tmp) after them.
    for prefix in python_dirs():
        assert ("--ro-bind", prefix) in mounts
        assert dests.index(prefix) > max(dests.index("/tmp"), dests.index("/root"))
    assert mounts[-1] == ("--bind", "/content")
    assert args[args.index("--chdir") + 1] == "/content"
    # Exactly the prefixes: never a parent folder of the service's files, never the data dir.
    sources = [args[i + 1] for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    for forbidden in ("/", "/root", "/work", "/tmp", str(tmp_path), str(tmp_path / "data")):
        assert forbidden not in sources
    for top in ("/bin", "/lib", "/sbin", "/lib64"):
        if os.path.islink(top):
            assert ("--symlink", top) in mounts
    assert not [d for d in dests if d.startswith("/dev/nvidia")]


def test_gpu_devices_bound_only_for_gpu_runtimes(tmp_path: Path) -> None:
    from cloudbook.runtimes.sandbox import gpu_devices

    with_gpu = bwrap_command("/usr/bin/bwrap", tmp_path, ["true"], gpu=True)
    bound = [d for opt, d in _mounts(with_gpu) if opt == "--dev-bind"]
    assert bound == gpu_devices()


@pytest.mark.parametrize("python", [sys.executable, sys.base_prefix + "/bin/python3"])
def test_python_dirs_are_exactly_the_prefixes(python: str) -> None:
    dirs = python_dirs(python)
    assert sys.base_prefix in dirs
    assert not [d for d in dirs if d in ("/", "/root", "/work", "/usr/bin")]
    if python == sys.executable:
        assert sys.prefix in dirs
