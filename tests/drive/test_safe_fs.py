"""cloudbook.drive.safe_fs: nothing outside the root is ever read, written or removed."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from cloudbook.drive import safe_fs
from cloudbook.services.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A user's root with a/b/nb.ipynb, and an outside folder holding a secret."""
    root = tmp_path / "drive" / "1"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "nb.ipynb").write_bytes(b"mine")
    outside = tmp_path / "other"
    (outside / "b").mkdir(parents=True)
    (outside / "b" / "nb.ipynb").write_bytes(b"SECRET")
    (outside / "nb.ipynb").write_bytes(b"SECRET")
    return root, outside


def test_reads_and_writes_plain_files(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    assert safe_fs.read_bytes(root, "a/b/nb.ipynb") == b"mine"
    safe_fs.write_bytes(root, "a/b/nb.ipynb", b"new")
    safe_fs.write_bytes(root, "x/y/z.ipynb", b"deep")
    assert (root / "a" / "b" / "nb.ipynb").read_bytes() == b"new"
    assert (root / "x" / "y" / "z.ipynb").read_bytes() == b"deep"
    assert (root / "x" / "y" / "z.ipynb").stat().st_mode & 0o777 == 0o600
    assert sorted(e.name for e in safe_fs.list_dir(root, "a/b")) == ["nb.ipynb"]
    assert not any(p.name.startswith(".tmp") for p in root.rglob("*"))


@pytest.mark.parametrize("link_at", ["a", "a/b", "a/b/nb.ipynb"])
def test_a_symlink_at_any_component_is_refused(tree: tuple[Path, Path], link_at: str) -> None:
    root, outside = tree
    victim = root / link_at
    target = {"a": outside, "a/b": outside / "b", "a/b/nb.ipynb": outside / "nb.ipynb"}[link_at]
    if victim.is_dir():
        victim.rename(victim.with_name(victim.name + ".moved"))
    else:
        victim.unlink()
    victim.symlink_to(target)
    calls = [
        lambda: safe_fs.read_bytes(root, "a/b/nb.ipynb"),
        lambda: safe_fs.write_bytes(root, "a/b/nb.ipynb", b"overwritten"),
    ]
    if link_at != "a/b/nb.ipynb":  # a link to a folder on the way
        calls += [
            lambda: safe_fs.unlink(root, "a/b/nb.ipynb"),
            lambda: safe_fs.rename(root, "a/b/nb.ipynb", "moved.ipynb"),
            lambda: safe_fs.rename(root, "x.ipynb", "a/b/nb.ipynb"),
            lambda: safe_fs.list_dir(root, "a/b"),
            lambda: safe_fs.exists(root, "a/b/nb.ipynb"),
        ]
        (root / "x.ipynb").write_bytes(b"x")
    for call in calls:
        with pytest.raises(safe_fs.UnsafePath) as caught:
            call()
        assert caught.value.status == 409 and caught.value.code == "unsafe_path"
    assert (outside / "b" / "nb.ipynb").read_bytes() == b"SECRET"
    assert (outside / "nb.ipynb").read_bytes() == b"SECRET"
    assert sorted(p.name for p in outside.rglob("*")) == ["b", "nb.ipynb", "nb.ipynb"]


def test_unlinking_a_link_removes_the_link_not_its_target(tree: tuple[Path, Path]) -> None:
    root, outside = tree
    (root / "link.ipynb").symlink_to(outside / "nb.ipynb")
    safe_fs.unlink(root, "link.ipynb")
    assert not (root / "link.ipynb").is_symlink()
    assert (outside / "nb.ipynb").read_bytes() == b"SECRET"


@pytest.mark.parametrize(
    "rel", ["../other/nb.ipynb", "a/../../other/nb.ipynb", "/etc/passwd", "a//b", "./a", "a/\0"]
)
def test_traversal_and_absolute_paths_are_refused(tree: tuple[Path, Path], rel: str) -> None:
    root, _ = tree
    with pytest.raises(InvalidInput) as caught:
        safe_fs.read_bytes(root, rel)
    assert caught.value.code == "invalid_name"
    with pytest.raises(InvalidInput):
        safe_fs.write_bytes(root, rel, b"x")


def test_fifos_sockets_and_devices_are_refused_without_blocking(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    os.mkfifo(root / "fifo.ipynb")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.ipynb"))
    try:
        for name in ("fifo.ipynb", "sock.ipynb"):
            with pytest.raises(safe_fs.UnsafePath):
                safe_fs.read_bytes(root, name)
            with pytest.raises(safe_fs.UnsafePath):
                safe_fs.write_bytes(root, name, b"x")
    finally:
        sock.close()
    # A runtime can link to a device; making a device node needs privilege (root here).
    (root / "zero.ipynb").symlink_to("/dev/zero")
    with pytest.raises(safe_fs.UnsafePath):
        safe_fs.read_bytes(root, "zero.ipynb")
    try:
        os.mknod(root / "null.ipynb", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pass  # not root: the link above is the device a runtime could plant
    else:
        with pytest.raises(safe_fs.UnsafePath):
            safe_fs.read_bytes(root, "null.ipynb")
        with pytest.raises(safe_fs.UnsafePath):
            safe_fs.write_bytes(root, "null.ipynb", b"x")
    (root / "a" / "dir.ipynb").mkdir()
    with pytest.raises(safe_fs.UnsafePath):
        safe_fs.read_bytes(root, "a/dir.ipynb")
    with pytest.raises(safe_fs.UnsafePath):
        safe_fs.write_bytes(root, "a/dir.ipynb", b"x")


def test_exclusive_writes_and_renames_never_replace(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    with pytest.raises(Conflict) as caught:
        safe_fs.write_bytes(root, "a/b/nb.ipynb", b"x", exclusive=True)
    assert caught.value.code == "name_taken"
    safe_fs.write_bytes(root, "c.ipynb", b"c", exclusive=True)
    with pytest.raises(Conflict):
        safe_fs.rename(root, "c.ipynb", "a/b/nb.ipynb")
    assert safe_fs.read_bytes(root, "a/b/nb.ipynb") == b"mine"
    safe_fs.rename(root, "c.ipynb", "moved/c.ipynb")
    assert safe_fs.read_bytes(root, "moved/c.ipynb") == b"c"
    with pytest.raises(NotFound):
        safe_fs.read_bytes(root, "c.ipynb")
    assert not safe_fs.exists(root, "nope/c.ipynb")


def test_leftover_temp_files_are_swept(tree: tuple[Path, Path]) -> None:
    root, outside = tree
    (root / "a" / (safe_fs.TEMP_PREFIX + "dead")).write_bytes(b"half")
    (root / "keep.tmp").write_bytes(b"user file")
    (root / "a" / "out").symlink_to(outside)
    (outside / (safe_fs.TEMP_PREFIX + "other")).write_bytes(b"not ours")
    assert safe_fs.sweep_temp_files(root.parent) == 1
    assert (root / "keep.tmp").exists()
    assert (outside / (safe_fs.TEMP_PREFIX + "other")).exists()


KILLED_WRITER = r"""
import sys
from pathlib import Path
from cloudbook.drive import safe_fs
root = Path(sys.argv[1])
block = bytes(range(256)) * 4096 * 8  # 8 MiB
for i in range(1000):
    safe_fs.write_bytes(root, "folder/nb.ipynb", block)
    if i == 0:
        print("written", flush=True)
"""


def test_a_writer_killed_mid_save_leaves_the_old_or_new_file_and_no_temp_file(
    tmp_path: Path,
) -> None:
    import signal
    import subprocess
    import sys

    root = tmp_path / "drive" / "1"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(root)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "written\n"  # saving over and over from now on
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    folder = root / "folder"
    assert (folder / "nb.ipynb").read_bytes() == bytes(range(256)) * 4096 * 8
    leftovers = [p.name for p in folder.iterdir() if p.name != "nb.ipynb"]
    # O_TMPFILE data has no name until it is complete; only a kill between linking and
    # renaming leaves a named temp file, and the start-up sweep removes it.
    assert all(name.startswith(safe_fs.TEMP_PREFIX) for name in leftovers), leftovers
    safe_fs.sweep_temp_files(root)
    assert [p.name for p in folder.iterdir()] == ["nb.ipynb"]
