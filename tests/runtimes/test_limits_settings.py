"""Runtime limits without kernels: settings, the rlimit fallback, the disk's failure
path, and the cgroup v2 layout (this host has v1 controllers only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudbook.runtimes import cgroups
from cloudbook.runtimes.disk import disk_mechanism
from cloudbook.runtimes.limits import (
    DEFAULT_PIDS,
    GiB,
    MiB,
    RuntimeLimit,
    parse_size,
    resolve_limits,
)
from tests.runtimes.test_limits import needs_loop_disk


def test_sizes_parse_and_bad_values_are_refused(tmp_path: Path) -> None:
    assert parse_size("2G") == 2 * GiB
    assert parse_size("512M") == 512 * MiB
    assert parse_size("1.5GiB") == int(1.5 * GiB)
    assert parse_size("4096") == 4096
    for bad in ("two gigs", "-1G", "0", "1X"):
        with pytest.raises(ValueError, match="RUNTIME_MEMORY"):
            resolve_limits(tmp_path, memory=bad)
    with pytest.raises(ValueError, match="below the minimum"):
        resolve_limits(tmp_path, disk="1M")
    with pytest.raises(ValueError, match="HIGHMEM"):
        resolve_limits(tmp_path, memory="2G", highmem_memory="1G")
    with pytest.raises(ValueError, match="RUNTIME_CPUS"):
        resolve_limits(tmp_path, cpus=0)
    defaults = resolve_limits(tmp_path)
    assert 0 < defaults.memory <= defaults.highmem_memory
    assert defaults.pids == DEFAULT_PIDS < 2000
    assert 1 <= defaults.cpus <= 2


def test_serve_refuses_a_bad_limit_and_lists_the_settings(tmp_path: Path) -> None:
    env = {**os.environ, "CLOUDBOOK_RUNTIME_MEMORY": "lots"}
    bad = subprocess.run(
        [sys.executable, "-m", "cloudbook", "serve", "--data-dir", str(tmp_path), "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "CLOUDBOOK_RUNTIME_MEMORY" in bad.stderr and "not a size" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "cloudbook.db").exists()  # nothing was started or created
    shown = subprocess.run(
        [sys.executable, "-m", "cloudbook", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for name in ("MEMORY", "HIGHMEM_MEMORY", "CPUS", "PIDS", "DISK"):
        assert f"CLOUDBOOK_RUNTIME_{name}" in shown


def test_rlimit_fallback_limits_each_process() -> None:
    limit = RuntimeLimit("rlimit", [], memory=GiB, cpus=1.0, pids=300)
    assert limit.report() == {"mechanism": "rlimit", "memory": GiB, "cpus": None, "pids": 300}
    code = (
        "import resource\n"
        "print(resource.getrlimit(resource.RLIMIT_DATA)[0],"
        " resource.getrlimit(resource.RLIMIT_NPROC)[0])\n"
        "try:\n"
        "    x = bytearray(2 * 1024**3)\n"
        "    print('allocated')\n"
        "except MemoryError:\n"
        "    print('MemoryError')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], preexec_fn=limit.preexec, capture_output=True, text=True
    ).stdout.split()
    assert out[0] == str(GiB) and out[2] == "MemoryError"
    # The user's processes so far plus the runtime's 300 (RLIMIT_NPROC counts them all).
    assert 300 < int(out[1]) < 300 + 100_000


@needs_loop_disk
def test_disk_mechanism_is_a_loop_mount_as_root() -> None:
    assert disk_mechanism() == "loop-ext4"


@needs_loop_disk
def test_a_disk_that_cannot_be_made_leaves_the_runtime_unbounded(tmp_path: Path) -> None:
    from cloudbook.runtimes.disk import prepare_disk

    folder = tmp_path / "runtime"
    assert prepare_disk(folder, 4096) == "none"  # far too small for ext4: mkfs refuses
    assert folder.is_dir() and not os.path.ismount(folder)
    assert not list(folder.iterdir())  # no image left behind


def test_cgroup_v2_layout_on_a_simulated_hierarchy(tmp_path: Path) -> None:
    """This host has no v2 controllers, so the v2 path is checked on plain files laid
    out as cgroupfs shows them (the kernel's side cannot run here)."""
    root = tmp_path / "cgroup2"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")
    found = cgroups._find_v2([(str(root), "cgroup2", ["rw"])], "key1")
    assert found is not None and found.mechanism == "cgroup-v2"
    base = root / "cloudbook" / "key1"
    assert not base.exists()  # made with the first runtime
    [group] = found.create("rt", memory=GiB, cpus=0.5, pids=100)
    for folder in (root, root / "cloudbook", base):
        assert (folder / "cgroup.subtree_control").read_text() == "+cpu +memory +pids"
    assert (group.path / "memory.max").read_text() == str(GiB)
    assert (group.path / "pids.max").read_text() == "100"
    assert (group.path / "cpu.max").read_text() == "50000 100000"
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_kills() == 1
    # A group whose controllers the host lacks is no v2 hierarchy (e.g. hybrid "unified").
    bare = tmp_path / "unified"
    bare.mkdir()
    (bare / "cgroup.controllers").write_text("")
    assert cgroups._find_v2([(str(bare), "cgroup2", ["rw"])], "key1") is None
