"""The bubblewrap command line that gives a runtime its own machine-like view.

Inside: a tmpfs root; /usr, /etc, /sys and the Python install (exactly its
prefixes, not their parents) read-only (the box's init step then lays the writable
overlays over /usr and /etc, see cloudbook.runtime_side.box); private /tmp, /root,
/run and /var; the runtime's folder at /content (read-write); its own pid, ipc and
uts namespaces, and a network namespace of its own unless ``network="host"``.
Nothing of the service's data dir, other users' files or other runtimes is bound
in. docs/security.md has the whole box.

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
from collections.abc import Callable
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


OpenFd = Callable[[str], int]  # a path -> an open (O_PATH) descriptor passed to bwrap


class SandboxUnavailable(RuntimeStartError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


UNSAFE_HINT = (
    "set CLOUDBOOK_SANDBOX=none to run runtimes without a sandbox on purpose (unsafe with "
    "several users: any notebook can then read the service's data and other users' work)"
)


def choose_bwrap(mode: str) -> str | None:
    """The bwrap binary to use for ``sandbox=mode`` (``auto`` | ``bwrap`` | ``none``).

    Only ``none`` runs runtimes without a box: ``auto`` and ``bwrap`` refuse to start
    (SandboxUnavailable) where bubblewrap or user namespaces are missing."""
    if mode == "none":
        return None
    found = bwrap_path()
    if found is None:
        raise SandboxUnavailable(
            f"sandbox={mode!r}: bubblewrap (bwrap) is not installed; install it "
            f"(apt-get install bubblewrap) or {UNSAFE_HINT}"
        )
    from cloudbook.runtimes.box import userns_available

    if not userns_available():
        raise SandboxUnavailable(
            f"sandbox={mode!r}: this kernel does not let an unprivileged uid create a user "
            "namespace (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0,"
            f" or an AppArmor profile allowing it); or {UNSAFE_HINT}"
        )
    return found


def _nested(path: str, parents: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in parents)


SITE_DIR_NAMES = ("site-packages", "dist-packages")


@functools.cache
@functools.lru_cache(maxsize=16)  # asked at every runtime start; an image's never move
def python_dirs(python: str = sys.executable) -> tuple[str, ...]:
    """Directories an interpreter needs, read-only: its venv, base install, real binary."""
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
        # Package folders a .pth added from elsewhere (a venv layered on another's packages).
        prefixes += [p for p in sys.path if os.path.basename(p) in SITE_DIR_NAMES]
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


def _bind_args(flag: str, source: str, dest: str, open_fd: OpenFd | None) -> list[str]:
    """``--ro-bind SRC DEST`` or, when ``open_fd`` is given, ``--ro-bind-fd FD DEST``: bwrap
    may run as an unprivileged uid that cannot walk to SRC (a venv under /root)."""
    if open_fd is None:
        return [flag, source, dest]
    return [f"{flag}-fd", str(open_fd(source)), dest]


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
    etc_files: list[tuple[Path, str]] | None = None,
    userns: bool = False,
    network: str = "host",
    open_fd: OpenFd | None = None,
    writable_dirs: list[tuple[Path, str]] | None = None,
    info_fd: int | None = None,
) -> list[str]:
    """``bwrap … -- command``: ``binds`` are (host, inside) read-write extras,
    ``ro_binds`` host paths bound read-only at the same place (unless already visible),
    ``gpu`` binds every /dev/nvidia*, ``gpu_nodes`` exactly these host nodes (an assigned
    GPU's) at /dev/<name>, ``etc_hosts`` (see ``hosts_file``) replaces /etc/hosts and
    ``etc_files`` other files (read-only).

    ``userns``: a user namespace where the command is uid 0 and keeps the namespace's
    capabilities (``cloudbook.runtime_side.box`` drops them); ``network`` ``host`` shares
    the host's network, anything else gets a private network namespace;
    ``writable_dirs`` replace the private tmpfs of /tmp, /root, /var by folders of the
    runtime; ``open_fd`` makes every bind of a non-system path go through a file
    descriptor (see ``_bind_args``); ``info_fd`` gets bwrap's JSON (``child-pid``)."""
    args = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if userns:
        args += ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-add", "ALL"]
    if network != "host":
        args += ["--unshare-net"]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    args += ["--hostname", hostname, "--tmpfs", "/"]
    for d in SYSTEM_DIRS:
        if os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for top in TOP_LEVEL:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--proc", "/proc", "--dev", "/dev"]
    own = {inside: host for host, inside in writable_dirs or []}
    for d in PRIVATE_DIRS:
        if d in own:
            args += _bind_args("--bind", str(own[d]), d, open_fd)
        else:
            args += ["--tmpfs", d]
    args += ["--dir", "/var/tmp"]
    # systemd-resolved hosts: /etc/resolv.conf -> /run/...; /run is private, bind the target.
    real = _outside_bound_dirs("/etc/resolv.conf")
    if real is not None and network == "host":
        args += ["--ro-bind", real, real]
    # After the tmpfs mounts: a prefix under /root or /tmp must not be hidden by them.
    for d in python_dirs(python):
        args += _bind_args("--ro-bind", d, d, open_fd)
    args += _bind_args("--ro-bind", package_dir(), f"{SANDBOX_LIB}/cloudbook", open_fd)
    if etc_hosts is not None:
        args += _bind_args("--ro-bind", str(etc_hosts), "/etc/hosts", open_fd)
    for host, inside in etc_files or []:
        args += _bind_args("--ro-bind", str(host), inside, open_fd)
    for path in ro_binds or []:
        if os.path.exists(path) and not _nested(path, list(SYSTEM_DIRS)):
            args += _bind_args("--ro-bind", path, path, open_fd)
    if gpu:
        for dev in gpu_devices():
            args += ["--dev-bind", dev, dev]
    for node in gpu_nodes:
        args += ["--dev-bind", node, f"/dev/{os.path.basename(node)}"]
    for host, inside in binds or []:
        args += _bind_args("--bind", str(host), inside, open_fd)
    for host, inside in ro_binds_at or []:
        args += _bind_args("--ro-bind", str(host), inside, open_fd)
    args += _bind_args("--bind", str(content_dir), "/content", open_fd)
    args += ["--chdir", "/content", "--", *command]
    return args
