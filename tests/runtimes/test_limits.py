"""Per-runtime limits, enforced for real: cgroups (as root) and a loop-mounted disk.

Attacks run in real kernels: a 2 GB allocation under a 1 GB limit, 2,000
processes under the default pids limit, a disk-filling loop; meanwhile another
runtime's kernel must still answer ``1+1``.
"""

from __future__ import annotations

import errno
import glob
import os
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from cloudbook.runtimes import cgroups
from cloudbook.runtimes.jupyter_api import JupyterServerClient
from cloudbook.runtimes.limits import (
    DEFAULT_PIDS,
    GiB,
    MiB,
    RuntimeLimits,
)
from cloudbook.runtimes.local import LocalProvider, runtime_pids
from cloudbook.runtimes.provider import Runtime
from tests.jupyter_fixtures import KernelWsClient, execute_result, stream_text
from tests.runtimes.conftest import HAS_BWRAP, Runtimes, run

pytestmark = pytest.mark.timeout(300)


def host_cgroup_mechanism() -> str:
    """What this host offers, read independently of the code under test."""
    if os.geteuid() != 0:
        return "rlimit"
    mounts = Path("/proc/self/mounts").read_text().splitlines()
    for line in mounts:
        point, fstype = line.split()[1:3]
        if fstype == "cgroup2":
            controllers = Path(point, "cgroup.controllers").read_text().split()
            if "memory" in controllers and "pids" in controllers:
                return "cgroup-v2"
    if any(line.split()[2] == "cgroup" and "memory" in line.split()[3] for line in mounts):
        return "cgroup-v1"
    return "rlimit"


MECHANISM = host_cgroup_mechanism()
needs_cgroups = pytest.mark.skipif(
    MECHANISM == "rlimit",
    reason="the service is not root or the host has no cgroup memory controller "
    "(the rlimit fallback is tested below)",
)
needs_loop_disk = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/dev/loop-control").exists(),
    reason="bounded disks need root and loop devices",
)


def limits(**kw: object) -> RuntimeLimits:
    values: dict[str, object] = {
        "memory": GiB,
        "highmem_memory": 2 * GiB,
        "cpus": 1.0,
        "pids": DEFAULT_PIDS,
        "disk": 512 * MiB,
    }
    values.update(kw)
    return RuntimeLimits(**values)  # type: ignore[arg-type]


def provider(runtimes: Runtimes, **kw: object) -> LocalProvider:
    return runtimes.provider("auto", limits=limits(**kw))


async def neighbour_answers(runtimes: Runtimes, neighbour: KernelWsClient) -> None:
    messages = await neighbour.execute("1+1", 60)
    assert execute_result(messages) == "2"


@needs_cgroups
async def test_runtime_runs_in_its_cgroup_and_reports_it(runtimes: Runtimes) -> None:
    runtime = await runtimes.start(provider(runtimes))
    assert runtime.limits is not None
    assert runtime.limits["mechanism"] == MECHANISM
    assert runtime.limits["memory"] == GiB
    assert runtime.limits["pids"] == DEFAULT_PIDS
    assert runtime.limits["cpus"] in (1.0, None)  # None: no cpu controller on this host
    kernel = await runtimes.kernel(runtime)
    groups = await run(kernel, "print(open('/proc/self/cgroup').read())")
    assert runtime.runtime_id in groups  # the kernel (a grandchild) is in it too
    key = cgroups.data_dir_key(runtimes.runtimes_dir)
    folders = [p for p in Path("/sys/fs/cgroup").glob(f"*/cloudbook/{key}/{runtime.runtime_id}")]
    folders += list(Path("/sys/fs/cgroup").glob(f"cloudbook/{key}/{runtime.runtime_id}"))
    assert folders
    quota = [p / "cpu.cfs_quota_us" for p in folders if (p / "cpu.cfs_quota_us").exists()]
    quota += [p / "cpu.max" for p in folders if (p / "cpu.max").exists()]
    if runtime.limits["cpus"] is not None:
        assert quota and quota[0].read_text().split()[0] == "100000"  # 1 CPU of 100 ms periods
    owner = runtimes.started[-1][0]
    await owner.stop(runtime)
    assert not [p for p in folders if p.exists()]  # removed with the runtime


@needs_cgroups
async def test_out_of_memory_kills_only_that_kernel(runtimes: Runtimes) -> None:
    owner = provider(runtimes, memory=GiB)
    runtime = await runtimes.start(owner)
    neighbour_runtime = await runtimes.start(provider(runtimes))
    neighbour = await runtimes.kernel(neighbour_runtime)
    kernel = await runtimes.kernel(runtime)
    assert (await owner.usage(runtime)).oom_kills == 0

    messages = await kernel.execute("x = b'x' * (2 * 1024**3)\nprint('survived')", 120)
    states = [
        m["content"]["execution_state"] for m in messages if m["header"]["msg_type"] == "status"
    ]
    assert states[-1] in ("restarting", "dead")
    assert "survived" not in stream_text(messages)
    usage = await owner.usage(runtime)
    assert usage.oom_kills >= 1
    assert usage.memory_total == GiB
    await neighbour_answers(runtimes, neighbour)
    # The runtime's server lived on and restarted the kernel: a fresh connection runs code.
    status = await owner.status(runtime)
    assert status.state == "running"
    assert execute_result(await fresh_kernel_run(runtime, kernel, runtimes)) == "2"


async def fresh_kernel_run(runtime: Runtime, kernel: KernelWsClient, runtimes: Runtimes) -> Any:
    """``1+1`` in the kernel the server restarted, over a new connection as the page opens."""
    kernel_id = kernel.url.rstrip("/").split("/")[-2]
    await JupyterServerClient(runtime).wait_kernel_ready(kernel_id, timeout=120)
    for attempt in range(2):
        again = KernelWsClient(
            kernel.url, protocol="legacy", headers=kernel.headers, runtime=runtime
        )
        await again.connect()
        runtimes.clients.append(again)
        try:
            return await again.execute("1+1", 120, stop_on_restart=False)
        except ConnectionClosed:  # closed by the server as the restart finished
            if attempt:
                raise
    return None


@needs_cgroups
async def test_two_thousand_processes_cannot_start(runtimes: Runtimes) -> None:
    # Memory enough for 2,000 small processes: the pids limit is what must stop them.
    runtime = await runtimes.start(provider(runtimes, memory=4 * GiB))
    neighbour = await runtimes.kernel(await runtimes.start(provider(runtimes)))
    kernel = await runtimes.kernel(runtime)
    spawn = (
        "import os, shutil\n"
        "sleep = shutil.which('sleep')\n"
        "kids, failure = [], None\n"
        "try:\n"
        "    for _ in range(2000):\n"
        "        kids.append(os.posix_spawn(sleep, ['sleep', '600'], {}))\n"
        "except OSError as exc:\n"
        "    failure = exc.errno\n"
        "print(len(kids), failure)"
    )
    started, failure = (await run(kernel, spawn, 180)).split()
    assert int(started) < 2000
    assert int(failure) == errno.EAGAIN
    await neighbour_answers(runtimes, neighbour)  # meanwhile the host is fine
    cleanup = (
        "import signal\nfor k in kids: os.kill(k, signal.SIGKILL)\nfor k in kids: os.waitpid(k, 0)"
    )
    await run(kernel, cleanup, 180)
    assert execute_result(await kernel.execute("1+1", 60)) == "2"


@needs_loop_disk
async def test_disk_filling_loop_stops_at_the_limit(runtimes: Runtimes) -> None:
    owner = provider(runtimes, disk=256 * MiB)
    runtime = await runtimes.start(owner)
    assert runtime.limits is not None and runtime.limits["disk"] == 256 * MiB
    assert runtime.limits["disk_mechanism"] == "loop-ext4"
    neighbour = await runtimes.kernel(await runtimes.start(provider(runtimes)))
    kernel = await runtimes.kernel(runtime)
    fill = (
        "import errno, os\n"
        "written, failure, chunk = 0, None, b'x' * 1024**2\n"
        "try:\n"
        "    with open('/content/fill', 'wb') as f:\n"
        "        while written < 1024**3:\n"
        "            written += f.write(chunk)\n"
        "            f.flush()\n"
        "            os.fsync(f.fileno())\n"
        "except OSError as exc:\n"
        "    failure = exc.errno\n"
        "print(written, failure)"
    )
    written, failure = (await run(kernel, fill, 180)).split()
    assert int(failure) == errno.ENOSPC
    assert 128 * MiB < int(written) <= 256 * MiB
    usage = await owner.usage(runtime)
    assert usage.disk_total is not None and usage.disk_total <= 256 * MiB
    assert usage.disk_used is not None and usage.disk_used > 128 * MiB
    # On the host the runtime holds no more than its image's blocks.
    image = runtimes.runtimes_dir / runtime.runtime_id
    assert os.path.ismount(image)
    await neighbour_answers(runtimes, neighbour)
    await run(kernel, "os.remove('/content/fill')")
    await owner.stop(runtime)
    assert not image.exists()


@needs_cgroups
async def test_orphaned_cgroups_and_disks_are_reclaimed(runtimes: Runtimes) -> None:
    first = provider(runtimes)
    runtime = await runtimes.start(first)
    await runtimes.kernel(runtime)
    pids = runtime_pids(runtime.runtime_id)
    assert len(pids) >= 2  # the server and its kernel, in host pids
    key = cgroups.data_dir_key(runtimes.runtimes_dir)
    folders = list(Path("/sys/fs/cgroup").glob(f"*/cloudbook/{key}/{runtime.runtime_id}"))
    folders += list(Path("/sys/fs/cgroup").glob(f"cloudbook/{key}/{runtime.runtime_id}"))
    assert folders
    # A new service on the same data dir, the first one "killed": it reclaims everything.
    await provider(runtimes).reclaim_orphans([])
    assert not [p for p in folders if p.exists()]
    assert not (runtimes.runtimes_dir / runtime.runtime_id).exists()
    assert not runtime_pids(runtime.runtime_id)


async def test_kernel_splits_a_print_loop_into_bounded_messages(runtimes: Runtimes) -> None:
    """ipykernel alone would merge 6 MB printed within 0.2 s into one message."""
    runtime = await runtimes.start(runtimes.provider("auto"))
    kernel = await runtimes.kernel(runtime)
    messages = await kernel.execute("for i in range(20):\n    print('x' * 300_000)", 120)
    streams = [m["content"]["text"] for m in messages if m["header"]["msg_type"] == "stream"]
    assert sum(len(t) for t in streams) == 20 * 300_001  # nothing lost
    assert len(streams) >= 4
    assert max(len(t) for t in streams) <= 1024 * 1024 + 300_001
    # Many small writes racing the I/O thread's flushes: all arrive, no error.
    lines = await run(kernel, "for i in range(100_000):\n    print(i)", 180)
    assert lines.splitlines() == [str(i) for i in range(100_000)]


@needs_cgroups
@pytest.mark.skipif(not HAS_BWRAP, reason="unsandboxed runtimes run as the service's user")
async def test_kernel_cannot_raise_its_limits_or_leave_its_cgroup(runtimes: Runtimes) -> None:
    runtime = await runtimes.start(provider(runtimes, memory=GiB))
    kernel = await runtimes.kernel(runtime)
    attack = (
        "import glob, os\n"
        "mine = [l.split(':', 2)[2] for l in open('/proc/self/cgroup').read().splitlines()]\n"
        "outcomes = []\n"
        "for path in glob.glob('/sys/fs/cgroup/*/cloudbook/*/*/*'):\n"
        "    if path.endswith(('limit_in_bytes', 'pids.max', 'cfs_quota_us', '.max')):\n"
        "        try:\n"
        "            open(path, 'w').write('-1' if 'limit' in path else 'max')\n"
        "            outcomes.append('raised ' + path)\n"
        "        except OSError:\n"
        "            outcomes.append('refused')\n"
        "for root in glob.glob('/sys/fs/cgroup/*/cgroup.procs'):\n"
        "    try:\n"
        "        open(root, 'w').write(str(os.getpid()))\n"
        "        outcomes.append('left for ' + root)\n"
        "    except OSError:\n"
        "        outcomes.append('refused')\n"
        "print(len(outcomes), sorted(set(outcomes)))"
    )
    tried, outcomes = (await run(kernel, attack)).strip().split(" ", 1)
    assert outcomes == "['refused']"
    assert int(tried) > len(glob.glob("/sys/fs/cgroup/*/cgroup.procs"))  # limit files too
    # Still limited: the allocation that passes 1 GB kills the kernel.
    messages = await kernel.execute("x = b'x' * (2 * 1024**3)\nprint('survived')", 120)
    assert "survived" not in stream_text(messages)
    owner = runtimes.started[-1][0]
    assert (await owner.usage(runtime)).oom_kills >= 1


@needs_cgroups
def test_highmem_runtimes_get_the_highmem_limit(tmp_path: Path) -> None:
    from cloudbook.runtimes.limits import Limiter

    limiter = Limiter(limits(memory=GiB, highmem_memory=3 * GiB), tmp_path / "runtimes")
    standard = limiter.create("standard-one")
    high = limiter.create("highmem-one", "highmem")
    try:
        assert standard.report()["memory"] == GiB
        assert high.report()["memory"] == 3 * GiB
        memory_groups = [g for g in high.groups if g.controller in ("memory", "unified")]
        limit_file = "memory.limit_in_bytes" if MECHANISM == "cgroup-v1" else "memory.max"
        assert (memory_groups[0].path / limit_file).read_text().strip() == str(3 * GiB)
    finally:
        standard.release()
        high.release()
    assert not any(g.path.exists() for g in [*standard.groups, *high.groups])
