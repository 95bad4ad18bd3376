"""The bubblewrap command line that gives a runtime its own machine-like view.

Inside: a tmpfs root, read-only system and Python directories, the runtime's
folder at /content, private /tmp and /root, its own pid/ipc/uts namespaces, the
host network (the service reaches the runtime on 127.0.0.1). Nothing of the
service's data dir, other users' files or other runtimes is bound in.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import cloudbook

# Where the cloudbook package is visible inside the sandbox (on PYTHONPATH).
SANDBOX_LIB = "/opt/cloudbook/lib"
SYSTEM_DIRS = ("/usr", "/etc", "/opt/wheels")
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def python_dirs() -> list[str]:
    """Directories the runtime's Python needs, read-only: the venv and its base install."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    # Drop nested duplicates: binding a parent covers its children.
    ordered = sorted(dirs, key=len)
    kept: list[str] = []
    for d in ordered:
        if not any(d == k or d.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(d)
    return kept


def package_dir() -> str:
    return str(Path(cloudbook.__file__).resolve().parent)


def bwrap_command(
    bwrap: str,
    content_dir: Path,
    command: list[str],
    *,
    binds: list[tuple[Path, str]] | None = None,
    hostname: str = "cloudbook-runtime",
) -> list[str]:
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
    for link in TOP_LEVEL_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/root"]
    args += ["--tmpfs", "/run", "--tmpfs", "/var", "--dir", "/var/tmp"]
    # Python after the tmpfs mounts: a prefix under /root or /tmp must not be hidden by them.
    for d in python_dirs():
        args += ["--ro-bind", d, d]
    args += ["--ro-bind", package_dir(), f"{SANDBOX_LIB}/cloudbook"]
    for dev in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(dev), str(dev)]
    for host, inside in binds or []:
        args += ["--bind", str(host), inside]
    args += ["--bind", str(content_dir), "/content", "--chdir", "/content", "--", *command]
    return args
