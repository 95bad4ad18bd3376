"""Bind mounts on the host that reach into a running sandbox (the drive of a warm runtime).

A warm runtime starts before its user is known and bubblewrap cannot add mounts
to it later. What it can do: bind a *slot* folder of the host into the sandbox.
The slot is made a shared mount (its own peer group) before bwrap starts; bwrap
marks every mount of its namespace a slave, so a mount made under the slot on
the host later propagates into the sandbox (and its unmount too), never back.

Read-only views: a bind mount's read-only flag set by a later remount does not
propagate, so the read-only mount is made read-only in a private staging folder
first and then bound into the slot (a bind copies the flag).

Needs CAP_SYS_ADMIN on the host (the service runs as root); ``available()``
finds out once. A runtime's folder must never be deleted while something is
mounted below it: ``unmount_below`` first, and ``mounts_below`` to check.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import tempfile
from pathlib import Path

MS_RDONLY = 1
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_SHARED = 1 << 20
MNT_DETACH = 2


class MountError(OSError):
    pass


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6", use_errno=True)


def _mount(source: str | None, target: str, flags: int) -> None:
    src = source.encode() if source is not None else None
    if _libc().mount(src, target.encode(), None, ctypes.c_ulong(flags), None) != 0:
        err = ctypes.get_errno()
        raise MountError(err, f"mount of {target} failed: {os.strerror(err)}")


def _umount(target: str) -> None:
    if _libc().umount2(target.encode(), MNT_DETACH) != 0:
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOENT):  # not (or no longer) a mount point
            raise MountError(err, f"unmount of {target} failed: {os.strerror(err)}")


def enter_private_namespace() -> None:
    """Give the calling (single-threaded, e.g. pre-exec) process a mount namespace of its
    own where every mount is private. A helper that makes its own namespace and detaches
    its old root without ``MS_REC`` first (slirp4netns's sandbox does) would otherwise
    propagate that unmount to the shared drive slots of running sandboxes."""
    clone_newns = 0x00020000
    if _libc().unshare(clone_newns) != 0:
        err = ctypes.get_errno()
        raise MountError(err, f"unshare(CLONE_NEWNS) failed: {os.strerror(err)}")
    _mount(None, "/", MS_REC | MS_PRIVATE)


def seal(target: Path) -> None:
    """Make a filled slot private: namespaces made later get a copy that neither receives
    nor sends mount events (its drive stays put whatever they do)."""
    _mount(None, str(target), MS_REC | MS_PRIVATE)


def make_shared_slot(slot: Path) -> None:
    """Bind ``slot`` onto itself and give it a peer group of its own."""
    slot.mkdir(parents=True, exist_ok=True)
    _mount(str(slot), str(slot), MS_BIND)
    try:
        _mount(None, str(slot), MS_PRIVATE)
        _mount(None, str(slot), MS_SHARED)
    except BaseException:
        _umount(str(slot))
        raise


def bind(source: Path, target: Path, *, readonly: bool = False, stage: Path | None = None) -> None:
    """Bind ``source`` at ``target`` (created); read-only through a private staging mount."""
    target.mkdir(parents=True, exist_ok=True)
    if not readonly:
        _mount(str(source), str(target), MS_BIND)
        return
    staging = Path(tempfile.mkdtemp(prefix=".stage-", dir=stage or target.parent.parent))
    try:
        _mount(str(source), str(staging), MS_BIND)
        try:
            _mount(None, str(staging), MS_PRIVATE)
            _mount(None, str(staging), MS_REMOUNT | MS_BIND | MS_RDONLY)
            _mount(str(staging), str(target), MS_BIND)
        finally:
            _umount(str(staging))
    finally:
        os.rmdir(staging)


def attach(mount_fd: int, target: Path) -> None:
    """Put a detached mount (``open_tree``, e.g. an idmapped clone) at ``target`` (created);
    on a shared slot it propagates into the sandbox like a bind."""
    target.mkdir(parents=True, exist_ok=True)
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    move_mount, at_fdcwd, empty_path = 429, -100, 4  # same number on x86-64 and arm64
    if libc.syscall(move_mount, mount_fd, b"", at_fdcwd, str(target).encode(), empty_path) != 0:
        err = ctypes.get_errno()
        raise MountError(err, f"move_mount to {target} failed: {os.strerror(err)}")


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as \ooo
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 4 <= len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mounts_below(folder: Path) -> list[str]:
    """Mount points at or under ``folder`` in this process's namespace, deepest first."""
    root = os.path.realpath(folder)
    found: list[str] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split(" ")
        if len(parts) > 4:
            point = _unescape(parts[4])
            if point == root or point.startswith(root.rstrip("/") + "/"):
                found.append(point)
    return sorted(set(found), key=len, reverse=True)


def unmount_below(folder: Path) -> None:
    for _ in range(4):  # stacked mounts come off one layer per pass
        points = mounts_below(folder)
        if not points:
            return
        for point in points:
            _umount(point)


@functools.cache
def available(probe_dir: str) -> bool:
    """Whether this process may make the mounts above (tried once, in ``probe_dir``)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    Path(probe_dir).mkdir(parents=True, exist_ok=True)
    probe = Path(tempfile.mkdtemp(prefix=".mount-probe-", dir=probe_dir))
    try:
        make_shared_slot(probe)
    except OSError:
        return False
    finally:
        _umount(str(probe))
        os.rmdir(probe)
    return True
