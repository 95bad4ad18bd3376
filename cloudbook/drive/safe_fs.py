"""Opening paths inside a folder that someone else can change under us.

A user's drive folder is writable from their runtime, so any folder in it can be
swapped for a symlink (``renameat2(RENAME_EXCHANGE)``) between a check and a use.
Nothing here checks a path and then opens it again: each operation walks the
relative path one component at a time from a directory file descriptor, with
``O_NOFOLLOW | O_DIRECTORY`` for folders and ``O_NOFOLLOW`` plus an ``fstat`` for
the final file (the same rules as ``openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)``,
written with plain ``openat`` so it works on every Linux and in every container).

Rules, for every function taking ``(root, rel)``:

- ``root`` is a folder the service chose (``<data>/drive/<user id>``); it is opened
  without following a symlink at its last component and created (0700) if missing.
- ``rel`` is ``/``-separated and relative: empty parts, ``.``, ``..``, absolute paths
  and NUL are refused with :class:`InvalidInput` (400 ``invalid_name``).
- A symlink at any component, or a folder where a file should be (or the reverse),
  a FIFO, socket or device, raises :class:`UnsafePath` (409 ``unsafe_path``);
  nothing outside ``root`` is ever read, written, renamed or deleted.
- Writes are atomic: an ``O_TMPFILE`` linked into place (or, where the file system
  lacks it, a ``.tmp-cloudbook-*`` file removed on failure); :func:`sweep_temp_files`
  removes leftovers of a killed process at start.

Functions taking ``dir_fd`` work inside one already opened folder (one component
``name``), so a caller can do several steps without re-walking the path.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cloudbook.services.errors import Conflict, InvalidInput, NotFound

TEMP_PREFIX = ".tmp-cloudbook-"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


class UnsafePath(Conflict):
    """A symlink or a special file where the service expected a plain file or folder."""

    code = "unsafe_path"


@dataclass(frozen=True)
class Entry:
    name: str
    kind: Literal["file", "directory", "symlink", "other"]
    size: int
    mtime: float


def parts(rel: str) -> list[str]:
    """The components of a relative path; refuses anything that could leave the root."""

    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"Invalid name: {why}.", code="invalid_name")

    if not isinstance(rel, str) or "\x00" in rel:
        raise bad("it contains NUL")
    if rel.startswith("/"):
        raise bad("absolute paths are not allowed")
    if rel == "":
        return []
    result = rel.split("/")
    for part in result:
        if part in ("", ".", ".."):
            raise bad("empty, '.' and '..' parts are not allowed")
    return result


def _unsafe(rel: str, what: str = "a link or a special file") -> UnsafePath:
    return UnsafePath(
        f"{rel or 'The folder'} is {what}, not a plain file or folder: refused.",
    )


def open_root(root: Path) -> int:
    """An fd of the service-chosen root folder (created 0700 when missing)."""
    try:
        return os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(root, _DIR_FLAGS)


def _open_child_dir(dir_fd: int, name: str, rel: str, create: bool) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        if not create:
            raise NotFound(f"{rel} does not exist.", code="no_such_file") from None
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=dir_fd)
        return _open_child_dir(dir_fd, name, rel, create=False)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENXIO):
            raise _unsafe(rel) from None
        raise


def open_dir_at(dir_fd: int, names: list[str], *, create: bool = False) -> int:
    """Walk ``names`` below ``dir_fd``; a new fd of the last folder (the caller closes it)."""
    fd = os.dup(dir_fd)
    walked: list[str] = []
    try:
        for name in names:
            walked.append(name)
            child = _open_child_dir(fd, name, "/".join(walked), create)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def directory(root: Path, rel: str = "", *, create: bool = False) -> Iterator[int]:
    """The folder ``root/rel`` as an fd, open for the ``with`` block."""
    names = parts(rel)
    root_fd = open_root(root)
    try:
        fd = open_dir_at(root_fd, names, create=create)
    finally:
        os.close(root_fd)
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def parent(root: Path, rel: str, *, create: bool = False) -> Iterator[tuple[int, str]]:
    """``(fd of the folder holding rel, rel's last component)``; ``create`` makes folders."""
    names = parts(rel)
    if not names:
        raise InvalidInput("Invalid name: it is empty.", code="invalid_name")
    with directory(root, "/".join(names[:-1]), create=create) as fd:
        yield fd, names[-1]


# --- one folder, by fd ------------------------------------------------------------


def open_file_at(dir_fd: int, name: str, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """Open a plain file in ``dir_fd``; links, FIFOs, devices and folders are refused."""
    # O_NONBLOCK: opening a FIFO must not hang the service until someone writes.
    try:
        fd = os.open(name, flags | _FILE_FLAGS, mode, dir_fd=dir_fd)
    except FileNotFoundError:
        raise NotFound(f"{name} does not exist.", code="no_such_file") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.ENODEV, errno.ETXTBSY):
            raise _unsafe(name) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _unsafe(name)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_at(dir_fd: int, name: str, max_bytes: int | None = None) -> bytes:
    fd = open_file_at(dir_fd, name)
    try:
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read() if max_bytes is None else f.read(max_bytes + 1)
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise InvalidInput(f"{name} is larger than {max_bytes} bytes.", code="file_too_large")
    return data


def lstat_at(dir_fd: int, name: str) -> os.stat_result | None:
    """The entry itself (a link is not followed), or None when there is none."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _fsync_dir(dir_fd: int) -> None:
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def write_at(
    dir_fd: int, name: str, data: bytes, *, exclusive: bool = False, mode: int = 0o600
) -> None:
    """Atomically make ``name`` hold ``data``. ``exclusive``: fail (409 ``name_taken``)
    when something already has that name. An existing link or special file at ``name``
    is refused, never written through; it is replaced only by a plain file."""
    existing = lstat_at(dir_fd, name)
    if existing is not None:
        if exclusive:
            raise Conflict(f"A file named {name!r} already exists.", code="name_taken")
        if not stat.S_ISREG(existing.st_mode):
            raise _unsafe(name)
    try:
        fd = os.open(".", os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            raise
        _write_with_named_temp(dir_fd, name, data, exclusive, mode)
        return
    try:
        os.fchmod(fd, mode)  # O_TMPFILE ignores the umask only on some file systems
        _write_all(fd, data)
        if exclusive:
            _link_fd(fd, dir_fd, name)
        else:
            temp = TEMP_PREFIX + secrets.token_hex(8)
            _link_fd(fd, dir_fd, temp)
            _replace_at(dir_fd, temp, name)
    finally:
        os.close(fd)
    _fsync_dir(dir_fd)


def _link_fd(fd: int, dir_fd: int, name: str) -> None:
    try:
        os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd, follow_symlinks=True)
    except FileExistsError:
        raise Conflict(f"A file named {name!r} already exists.", code="name_taken") from None


def _replace_at(dir_fd: int, temp: str, name: str) -> None:
    try:
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        if isinstance(exc, IsADirectoryError):
            raise _unsafe(name) from None
        raise


def _write_with_named_temp(dir_fd: int, name: str, data: bytes, exclusive: bool, mode: int) -> None:
    temp = TEMP_PREFIX + secrets.token_hex(8)
    fd = os.open(
        temp,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
        mode,
        dir_fd=dir_fd,
    )
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        if exclusive:
            rename_at(dir_fd, temp, dir_fd, name, replace=False)
        else:
            os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise
    _fsync_dir(dir_fd)


def _renameat2(src_fd: int, src: str, dst_fd: int, dst: str, flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if func(src_fd, src.encode(), dst_fd, dst.encode(), flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def rename_at(src_fd: int, src: str, dst_fd: int, dst: str, *, replace: bool = False) -> None:
    """Rename one entry to another folder (both by fd). Without ``replace`` an existing
    ``dst`` gives 409 ``name_taken`` (atomically, with ``RENAME_NOREPLACE``)."""
    if replace:
        existing = lstat_at(dst_fd, dst)
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise Conflict(f"A folder named {dst!r} already exists.", code="name_taken")
        os.rename(src, dst, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        return
    try:
        _renameat2(src_fd, src, dst_fd, dst, _RENAME_NOREPLACE)
    except FileExistsError:
        raise Conflict(f"A file named {dst!r} already exists.", code="name_taken") from None
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise Conflict(f"A file named {dst!r} already exists.", code="name_taken") from None
        if exc.errno == errno.ENOENT:
            raise NotFound(f"{src} does not exist.", code="no_such_file") from None
        if exc.errno not in (errno.ENOSYS, errno.EINVAL):
            raise
        # Kernels or file systems without RENAME_NOREPLACE: check, then rename.
        if lstat_at(dst_fd, dst) is not None:
            raise Conflict(f"A file named {dst!r} already exists.", code="name_taken") from None
        os.rename(src, dst, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def list_at(dir_fd: int) -> list[Entry]:
    """The entries of a folder (links reported as links, never followed)."""
    entries: list[Entry] = []
    with os.scandir(dir_fd) as it:  # scandir reads a dup of the fd from its start
        for item in it:
            try:
                st = item.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            kind: Literal["file", "directory", "symlink", "other"]
            if stat.S_ISLNK(st.st_mode):
                kind = "symlink"
            elif stat.S_ISDIR(st.st_mode):
                kind = "directory"
            elif stat.S_ISREG(st.st_mode):
                kind = "file"
            else:
                kind = "other"
            entries.append(Entry(item.name, kind, st.st_size, st.st_mtime))
    return entries


# --- whole paths below a root -----------------------------------------------------


def read_bytes(root: Path, rel: str, max_bytes: int | None = None) -> bytes:
    with parent(root, rel) as (fd, name):
        return read_at(fd, name, max_bytes)


def write_bytes(root: Path, rel: str, data: bytes, *, exclusive: bool = False) -> None:
    """Atomic write; missing folders on the way are created."""
    with parent(root, rel, create=True) as (fd, name):
        write_at(fd, name, data, exclusive=exclusive)


def exists(root: Path, rel: str) -> bool:
    """Whether anything (a link included) has that name; False when a folder on the way
    is missing. A link on the way raises :class:`UnsafePath`."""
    try:
        with parent(root, rel) as (fd, name):
            return lstat_at(fd, name) is not None
    except NotFound:
        return False


def unlink(root: Path, rel: str, *, missing_ok: bool = False) -> None:
    """Remove a file (or a link itself, never what it points to)."""
    try:
        with parent(root, rel) as (fd, name):
            entry = lstat_at(fd, name)
            if entry is not None and stat.S_ISDIR(entry.st_mode):
                raise _unsafe(rel, "a folder")
            os.unlink(name, dir_fd=fd)
    except (NotFound, FileNotFoundError):
        if not missing_ok:
            raise NotFound(f"{rel} does not exist.", code="no_such_file") from None


def rename(root: Path, old: str, new: str, *, replace: bool = False) -> None:
    """Move ``old`` to ``new`` inside ``root`` (folders on the way to ``new`` are created)."""
    with parent(root, old) as (src_fd, src), parent(root, new, create=True) as (dst_fd, dst):
        if lstat_at(src_fd, src) is None:
            raise NotFound(f"{old} does not exist.", code="no_such_file")
        rename_at(src_fd, src, dst_fd, dst, replace=replace)


def list_dir(root: Path, rel: str = "") -> list[Entry]:
    with directory(root, rel) as fd:
        return list_at(fd)


def sweep_temp_files(root: Path) -> int:
    """Remove ``.tmp-cloudbook-*`` files a killed process left below ``root`` (links are
    never followed). Returns how many were removed."""
    if not root.is_dir():
        return 0
    removed = 0
    for _dirpath, _dirs, files, dir_fd in os.fwalk(root, follow_symlinks=False):
        for name in files:
            if name.startswith(TEMP_PREFIX):
                entry = lstat_at(dir_fd, name)
                if entry is not None and stat.S_ISREG(entry.st_mode):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=dir_fd)
                        removed += 1
    return removed
