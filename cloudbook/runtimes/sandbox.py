"""The bubblewrap command line that gives a runtime its own machine-like view.

Inside: a tmpfs root; read-only /usr, /etc, /sys and the Python install (exactly
its prefixes, not their parents); private /tmp, /root, /run and /var; the
runtime's folder at /content (read-write); its own pid, ipc and uts namespaces;
the host network (the service reaches the runtime on 127.0.0.1). Nothing of the
service's data dir, other users' files or other runtimes is bound in.

Mount order matters: a later mount shadows what an earlier one put below it, so
the private tmpfs mounts come first and the Python prefixes (which may live under
/root or /tmp) after them.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cloudbook
from cloudbook.runtimes.provider import RuntimeStartError

# Where the cloudbook package is visible inside the sandbox (on PYTHONPATH).
SANDBOX_LIB = "/opt/cloudbook/lib"
HOSTNAME = "cloudbook-runtime"
SYSTEM_DIRS = ("/usr", "/etc", "/sys")
# Merged-/usr systems have these as symlinks (bin -> usr/bin): recreated as symlinks.
TOP_LEVEL = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
PRIVATE_DIRS = ("/tmp", "/root", "/run", "/var")


class SandboxUnavailable(RuntimeStartError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def choose_bwrap(mode: str) -> str | None:
    """The bwrap binary to use for ``sandbox=mode`` (``auto`` | ``bwrap`` | ``none``)."""
    if mode == "none":
        return None
    found = bwrap_path()
    if found is None and mode == "bwrap":
        raise SandboxUnavailable(
            "sandbox='bwrap' was asked for but bubblewrap (bwrap) is not installed; "
            "install it (apt-get install bubblewrap) or set sandbox to 'auto' or 'none'"
        )
    return found


def _nested(path: str, parents: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in parents)


@functools.cache
def python_dirs(python: str = sys.executable) -> tuple[str, ...]:
    """Directories an interpreter needs, read-only: its venv, base install, real binary."""
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    else:
        code = (
            "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix,"
            " sys.exec_prefix, sys.base_exec_prefix]))"
        )
        out = subprocess.run([python, "-c", code], capture_output=True, check=True, timeout=30)
        prefixes = json.loads(out.stdout)
    dirs = {os.path.realpath(p) for p in prefixes} | set(prefixes)
    dirs.add(str(Path(os.path.realpath(python)).parent.parent))
    kept: list[str] = []
    for d in sorted(dirs, key=len):  # binding a parent covers its children
        if not _nested(d, kept):
            kept.append(d)
    return tuple(kept)


def package_dir() -> str:
    return str(Path(cloudbook.__file__).resolve().parent)


def gpu_devices() -> list[str]:
    return [str(p) for p in sorted(Path("/dev").glob("nvidia*"))]


def _outside_bound_dirs(path: str) -> str | None:
    """The real path of ``path`` when a symlink points outside what the sandbox binds."""
    real = os.path.realpath(path)
    if real != path and os.path.exists(real) and not _nested(real, list(SYSTEM_DIRS)):
        return real
    return None


def hosts_file(hostname: str = HOSTNAME) -> str:
    """The host's /etc/hosts plus the sandbox's hostname, so that it resolves (many tools
    look their own hostname up and stall or fail when DNS does not know it)."""
    try:
        text = Path("/etc/hosts").read_text()
    except OSError:
        text = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    return text.rstrip("\n") + f"\n127.0.1.1\t{hostname}\n"


def bwrap_command(
    bwrap: str,
    content_dir: Path,
    command: list[str],
    *,
    python: str = sys.executable,
    binds: list[tuple[Path, str]] | None = None,
    ro_binds: list[str] | None = None,
    ro_binds_at: list[tuple[Path, str]] | None = None,
    gpu: bool = True,
    gpu_nodes: tuple[str, ...] = (),
    hostname: str = HOSTNAME,
    etc_hosts: Path | None = None,
) -> list[str]:
    """``bwrap … -- command``: ``binds`` are (host, inside) read-write extras,
    ``ro_binds`` host paths bound read-only at the same place (unless already visible),
    ``gpu`` binds every /dev/nvidia*, ``gpu_nodes`` exactly these host nodes (an
    assigned GPU's) at /dev/<name>, ``etc_hosts`` (see ``hosts_file``) replaces /etc/hosts."""
    args = [
        bwrap,
        "--die-with-parent",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        hostname,
        "--tmpfs",
        "/",
    ]
    for d in SYSTEM_DIRS:
        if os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for top in TOP_LEVEL:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for d in PRIVATE_DIRS:
        args += ["--tmpfs", d]
    args += ["--dir", "/var/tmp"]
    # systemd-resolved hosts: /etc/resolv.conf -> /run/...; /run is private, bind the target.
    real = _outside_bound_dirs("/etc/resolv.conf")
    if real is not None:
        args += ["--ro-bind", real, real]
    # After the tmpfs mounts: a prefix under /root or /tmp must not be hidden by them.
    for d in python_dirs(python):
        args += ["--ro-bind", d, d]
    args += ["--ro-bind", package_dir(), f"{SANDBOX_LIB}/cloudbook"]
    if etc_hosts is not None:
        args += ["--ro-bind", str(etc_hosts), "/etc/hosts"]
    for path in ro_binds or []:
        if os.path.exists(path) and not _nested(path, list(SYSTEM_DIRS)):
            args += ["--ro-bind", path, path]
    if gpu:
        for dev in gpu_devices():
            args += ["--dev-bind", dev, dev]
    for node in gpu_nodes:
        args += ["--dev-bind", node, f"/dev/{os.path.basename(node)}"]
    for host, inside in binds or []:
        args += ["--bind", str(host), inside]
    for host, inside in ro_binds_at or []:
        args += ["--ro-bind", str(host), inside]
    args += ["--bind", str(content_dir), "/content", "--chdir", "/content", "--", *command]
    return args
