"""Every file operation on a drive, in one small layer that never follows a symlink.

A runtime can write anything into its user's drive (symlinks included), so each path
is walked component by component from the drive's root with ``O_NOFOLLOW`` directory
file descriptors, and the last step is done relative to its parent's descriptor.
Callers pass a root and an already validated relative path
(``cloudbook.drive.paths.validate_relative_path``). Blocking: call from a thread.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(OSError):
    """A component of the path is a symlink or not a folder."""


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the scanned root, '/'-separated
    is_dir: bool
    mtime: float
    inode: int


@contextmanager
def parent_fd(root: Path, relative: str, *, create: bool = False) -> Iterator[tuple[int, str]]:
    """The open parent folder of ``relative`` under ``root`` and the last component."""
    parts = [p for p in relative.split("/") if p]
    if not parts:
        raise UnsafePath("empty path")
    if create:
        root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as e:  # ELOOP / ENOTDIR: a symlink or a file where a folder should be
                raise UnsafePath(f"{part!r} is not a folder") from e
            os.close(fd)
            fd = nxt
        yield fd, parts[-1]
    finally:
        os.close(fd)


def lstat(root: Path, relative: str) -> os.stat_result | None:
    try:
        with parent_fd(root, relative) as (fd, leaf):
            return os.stat(leaf, dir_fd=fd, follow_symlinks=False)
    except (FileNotFoundError, UnsafePath):
        return None


def lstat_strict(root: Path, relative: str) -> os.stat_result | None:
    """Like ``lstat`` but a link on the way raises ``UnsafePath`` instead of answering None."""
    try:
        with parent_fd(root, relative) as (fd, leaf):
            return os.stat(leaf, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def exists(root: Path, relative: str) -> bool:
    return lstat(root, relative) is not None


def is_dir(root: Path, relative: str) -> bool:
    st = lstat(root, relative)
    return st is not None and stat.S_ISDIR(st.st_mode)


def read_bytes(root: Path, relative: str) -> bytes:
    with parent_fd(root, relative) as (dir_fd, leaf):
        # O_NONBLOCK: a FIFO a runtime planted must not hang a service thread.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(leaf, flags, dir_fd=dir_fd)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UnsafePath(f"{relative!r} is not a file")
            return f.read()


def write_atomic(root: Path, relative: str, data: bytes) -> int:
    """Temporary file, fsync, rename over the target, fsync the folder; returns the inode."""
    with parent_fd(root, relative, create=True) as (dir_fd, leaf):
        try:
            present = os.stat(leaf, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:  # a link or special file put there (by a runtime): refused, left as it is
            if not stat.S_ISREG(present.st_mode):
                raise UnsafePath(f"{relative!r} is not a file")
        tmp = f".tmp-cloudbook-{secrets.token_hex(8)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                inode = os.fstat(f.fileno()).st_ino
            os.replace(tmp, leaf, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
            raise
        os.fsync(dir_fd)
        return inode


def make_dirs(root: Path, relative: str) -> None:
    with parent_fd(root, relative, create=True) as (fd, leaf):
        try:
            os.mkdir(leaf, 0o755, dir_fd=fd)
        except FileExistsError:
            if not stat.S_ISDIR(os.stat(leaf, dir_fd=fd, follow_symlinks=False).st_mode):
                raise
            return


def make_dir(root: Path, relative: str) -> None:
    """Create one new folder (its parents as needed); FileExistsError if it exists."""
    with parent_fd(root, relative, create=True) as (fd, leaf):
        os.mkdir(leaf, 0o755, dir_fd=fd)


def move(src_root: Path, src: str, dst_root: Path, dst: str) -> None:
    """Rename without replacing: FileExistsError when ``dst`` exists."""
    with (
        parent_fd(src_root, src) as (src_fd, src_leaf),
        parent_fd(dst_root, dst, create=True) as (dst_fd, dst_leaf),
    ):
        try:
            os.stat(dst_leaf, dir_fd=dst_fd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:
            raise FileExistsError(dst)
        os.rename(src_leaf, dst_leaf, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def remove_file(root: Path, relative: str) -> None:
    try:
        with parent_fd(root, relative) as (fd, leaf):
            os.unlink(leaf, dir_fd=fd)
    except (FileNotFoundError, UnsafePath):
        pass


def remove_tree(path: Path) -> None:
    """Delete a folder this service owns (the trash); symlinks inside are unlinked, not followed."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path)  # rmtree is symlink-attack resistant on Linux (uses fds)


def scan(root: Path, under: str = "") -> list[Entry]:
    """Every visible folder and file below ``root/under``, symlinks and dot-names skipped."""
    out: list[Entry] = []
    try:
        if under:
            with parent_fd(root, under) as (fd, leaf):
                start = os.open(leaf, _DIR_FLAGS, dir_fd=fd)
        else:
            start = os.open(root, _DIR_FLAGS)
    except (FileNotFoundError, NotADirectoryError, UnsafePath, OSError):
        return out
    _walk(start, under, out)
    return out


def _walk(dir_fd: int, prefix: str, out: list[Entry]) -> None:
    try:
        with os.scandir(dir_fd) as it:
            entries = list(it)
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            rel = f"{prefix}/{e.name}" if prefix else e.name
            if stat.S_ISDIR(st.st_mode):
                out.append(Entry(rel, True, st.st_mtime, st.st_ino))
                try:
                    child = os.open(e.name, _DIR_FLAGS, dir_fd=dir_fd)
                except OSError:
                    continue
                _walk(child, rel, out)
            elif stat.S_ISREG(st.st_mode):
                out.append(Entry(rel, False, st.st_mtime, st.st_ino))
    finally:
        os.close(dir_fd)
