"""A runtime's bounded disk: its whole folder is a file system of ``size`` bytes.

As root, ``prepare_disk`` makes a sparse file ``<runtime_dir>/.disk.img``, formats
it ext4 (no journal: the disk is thrown away with the runtime) and loop-mounts it
on ``<runtime_dir>`` itself, before anything of the runtime is created there; every
writable layer the runtime has (/content, packages, overlay upper dirs) then
lives in it, and a full disk is ENOSPC inside the runtime while the host's disk
holds only the blocks written. The image file stays reachable to the loop device
and is deleted with the folder once ``release_disk`` unmounted it.

Without mount privilege (the service is not root), or when making the disk fails
(no loop device in a container), nothing bounds the folder: ``prepare_disk``
answers ``"none"`` (logged; the API reports it) and the runtime starts anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from cloudbook.runtimes import mounts

log = logging.getLogger("cloudbook.runtimes")

DiskMechanism = Literal["loop-ext4", "none"]
IMAGE = ".disk.img"


class DiskError(OSError):
    pass


def disk_mechanism() -> DiskMechanism:
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4"):
        return "none"
    if not os.path.exists("/dev/loop-control"):
        return "none"
    return "loop-ext4"


def prepare_disk(runtime_dir: Path, size: int) -> DiskMechanism:
    """Make ``runtime_dir`` (created, empty) a file system of ``size`` bytes."""
    runtime_dir.mkdir(parents=True, exist_ok=True)
    if disk_mechanism() == "none":
        return "none"
    image = runtime_dir / IMAGE
    with open(image, "wb") as f:
        f.truncate(size)
    try:
        _run(
            # No reserved blocks (the runtime's root owns the disk), no journal.
            ["mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", str(image)],
        )
        # noinit_itable: no background zeroing of inode tables (mkfs punched them already),
        # so the sparse image stays as small as what the runtime writes.
        _run(
            [
                "mount",
                "-o",
                "loop,nosuid,nodev,noinit_itable",
                "-t",
                "ext4",
                str(image),
                str(runtime_dir),
            ]
        )
    except (OSError, subprocess.SubprocessError) as exc:
        # e.g. a container without loop devices: the runtime runs unbounded (reported as
        # disk_mechanism "none" by the API) rather than not at all.
        with contextlib.suppress(OSError):
            image.unlink()
        log.warning("no bounded disk for runtime %s: %s", runtime_dir.name, exc)
        return "none"
    except BaseException:
        with contextlib.suppress(OSError):
            image.unlink()
        raise
    os.chmod(runtime_dir, 0o755)
    (runtime_dir / "lost+found").rmdir()
    return "loop-ext4"


def release_disk(runtime_dir: Path) -> None:
    """Unmount everything below and at ``runtime_dir`` (the disk last). Idempotent."""
    mounts.unmount_below(runtime_dir)


def disk_usage(runtime_dir: Path) -> tuple[int, int] | None:
    """(used, total) bytes of the runtime's own file system; None when it has none."""
    if not os.path.ismount(runtime_dir):
        return None
    st = os.statvfs(runtime_dir)
    total = st.f_blocks * st.f_frsize
    return total - st.f_bfree * st.f_frsize, total


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise DiskError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")
