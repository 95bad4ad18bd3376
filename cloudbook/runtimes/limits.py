"""Resource limits of one runtime: memory (swap included), CPUs, processes, disk.

``RuntimeLimits`` is what the operator asked for (``CLOUDBOOK_RUNTIME_*``, with
Colab-like defaults scaled to this host); ``Limiter`` enforces it with the best
mechanism the host offers, found once at start:

- ``cgroup-v2`` where a cgroup2 hierarchy has the memory and pids controllers;
- ``cgroup-v1`` where the memory controller is a v1 hierarchy (pids and cpu when
  mounted too);
- ``rlimit`` as the last resort (not root, no writable cgroups): per-process
  limits, see docs/limits.md for what they do not cover.

A runtime's process tree enters its cgroup race-free: ``RuntimeLimit.preexec``
runs in the forked child before ``exec``, so the first instruction of the
runtime already runs limited and everything it forks inherits the cgroup.
The disk limit lives in :mod:`cloudbook.runtimes.disk`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import resource
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cloudbook.runtimes import cgroups

log = logging.getLogger("cloudbook.runtimes")

Mechanism = Literal["cgroup-v2", "cgroup-v1", "rlimit"]
Shape = Literal["standard", "highmem"]

GiB = 1024**3
MiB = 1024**2
# Colab's standard machine: 2 vCPUs, 12.7 GB RAM, ~100 GB disk; high-RAM doubles memory.
COLAB_MEMORY = int(12.7 * 1000**3)
COLAB_CPUS = 2.0
COLAB_DISK = 100 * GiB
DEFAULT_PIDS = 1024
MIN_MEMORY = 128 * MiB
MIN_DISK = 64 * MiB
MIN_PIDS = 16
# Runtimes are the first thing the host's OOM killer takes, the service the last.
RUNTIME_OOM_SCORE_ADJ = 800
SERVICE_OOM_SCORE_ADJ = -800

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B?)\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": MiB, "G": GiB, "T": 1024**4}


def parse_size(value: str | int) -> int:
    """``"2G"``, ``"512M"``, ``"1.5GiB"`` or a byte count → bytes (powers of 1024)."""
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"a size must be positive, not {value}")
        return value
    match = _SIZE.fullmatch(value)
    if not match:
        raise ValueError(f"not a size: {value!r} (write e.g. 2G, 512M or a byte count)")
    number = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if number < 1:
        raise ValueError(f"a size must be positive, not {value!r}")
    return int(number)


def format_size(size: int) -> str:
    for unit in ("T", "G", "M", "K"):
        if size >= _UNITS[unit] and size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]}{unit}"
    return f"{size / GiB:.1f}G" if size >= GiB else str(size)


def host_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def host_cpus() -> int:
    return len(os.sched_getaffinity(0))


def default_memory() -> int:
    return max(MIN_MEMORY, min(COLAB_MEMORY, host_memory() // 2))


def default_highmem(standard: int) -> int:
    return max(standard, min(2 * standard, host_memory() * 3 // 4))


def default_cpus() -> float:
    return float(min(COLAB_CPUS, host_cpus()))


def default_disk(runtimes_dir: Path) -> int:
    probe = runtimes_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    st = os.statvfs(probe)
    return max(MIN_DISK, min(COLAB_DISK, st.f_bavail * st.f_frsize // 2))


@dataclass(frozen=True)
class RuntimeLimits:
    memory: int  # bytes, swap included
    highmem_memory: int
    cpus: float
    pids: int
    disk: int  # bytes: /content plus the runtime's writable layers

    def memory_for(self, shape: str) -> int:
        return self.highmem_memory if shape == "highmem" else self.memory


def resolve_limits(
    runtimes_dir: Path,
    memory: str | int | None = None,
    highmem_memory: str | int | None = None,
    cpus: float | None = None,
    pids: int | None = None,
    disk: str | int | None = None,
) -> RuntimeLimits:
    """The operator's values (None: the host-scaled default), checked; ValueError says
    which one is wrong and why."""

    def size(name: str, value: str | int | None, default: int, minimum: int) -> int:
        if value is None or value == "":
            return default
        try:
            parsed = parse_size(value)
        except ValueError as exc:
            raise ValueError(f"CLOUDBOOK_{name}: {exc}") from None
        if parsed < minimum:
            raise ValueError(
                f"CLOUDBOOK_{name}: {value} is below the minimum {format_size(minimum)}"
            )
        return parsed

    mem = size("RUNTIME_MEMORY", memory, default_memory(), MIN_MEMORY)
    high = size("RUNTIME_HIGHMEM_MEMORY", highmem_memory, default_highmem(mem), MIN_MEMORY)
    if high < mem:
        raise ValueError(
            f"CLOUDBOOK_RUNTIME_HIGHMEM_MEMORY ({format_size(high)}) is below "
            f"CLOUDBOOK_RUNTIME_MEMORY ({format_size(mem)})"
        )
    if cpus is not None and not (0.01 <= cpus <= host_cpus() and math.isfinite(cpus)):
        raise ValueError(f"CLOUDBOOK_RUNTIME_CPUS: {cpus} is not between 0.01 and {host_cpus()}")
    if pids is not None and pids < MIN_PIDS:
        raise ValueError(f"CLOUDBOOK_RUNTIME_PIDS: {pids} is below the minimum {MIN_PIDS}")
    return RuntimeLimits(
        memory=mem,
        highmem_memory=high,
        cpus=cpus if cpus is not None else default_cpus(),
        pids=pids if pids is not None else DEFAULT_PIDS,
        disk=size("RUNTIME_DISK", disk, default_disk(runtimes_dir), MIN_DISK),
    )


class RuntimeLimit:
    """The limits of one runtime: ``preexec`` in its Popen, ``release()`` once stopped."""

    def __init__(
        self,
        mechanism: Mechanism,
        groups: list[cgroups.Group],
        memory: int,
        cpus: float,
        pids: int,
    ) -> None:
        self.mechanism = mechanism
        self.groups = groups
        self.memory = memory
        self.cpus = cpus
        self.pids = pids
        # Encoded before the fork: the child only opens and writes.
        self._procs_files = [g.procs_file for g in groups]
        self._oom_adj = str(RUNTIME_OOM_SCORE_ADJ).encode()
        # RLIMIT_NPROC counts every process of the user, the service's own included:
        # the runtime's share comes on top of what that user already runs.
        self._nproc = pids + (_processes_of(os.getuid()) if mechanism == "rlimit" else 0)

    def preexec(self) -> None:
        """Runs in the child between fork and exec (async-signal-safe calls only)."""
        pid = str(os.getpid()).encode()
        for path in self._procs_files:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)
        try:
            fd = os.open(b"/proc/self/oom_score_adj", os.O_WRONLY)
            try:
                os.write(fd, self._oom_adj)
            finally:
                os.close(fd)
        except OSError:
            pass
        if self.mechanism == "rlimit":
            # Per process, not per runtime: the last resort (docs/limits.md).
            resource.setrlimit(resource.RLIMIT_DATA, (self.memory, self.memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (self._nproc, self._nproc))

    def report(self) -> dict[str, Any]:
        """What is enforced: a figure per resource, None where nothing limits it."""
        if self.mechanism == "rlimit":
            return {"mechanism": "rlimit", "memory": self.memory, "cpus": None, "pids": self.pids}
        enforced = {g.controller for g in self.groups}
        return {
            "mechanism": self.mechanism,
            "memory": self.memory if "memory" in enforced else None,
            "cpus": self.cpus if "cpu" in enforced else None,
            "pids": self.pids if "pids" in enforced else None,
        }

    def _group(self, controller: str) -> cgroups.Group | None:
        return next((g for g in self.groups if g.controller == controller), None)

    def memory_used(self) -> int | None:
        """Memory the runtime uses now (without reclaimable file cache); None without a
        memory cgroup."""
        group = self._group("memory")
        return group.memory_used() if group else None

    def oom_kills(self) -> int:
        """Processes the kernel killed in this runtime for want of memory, so far."""
        group = self._group("memory")
        return group.oom_kills() if group else 0

    def release(self) -> None:
        """Kill whatever is left in the cgroups and remove them. Idempotent."""
        release_groups(self.groups)


def release_groups(groups: list[cgroups.Group]) -> None:
    for _ in range(200):
        alive = set()
        for group in groups:
            alive |= group.pids()
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    for group in groups:
        group.remove()
        group.remove_parent_if_empty()


class Limiter:
    """Finds the host's mechanism once and makes one ``RuntimeLimit`` per runtime."""

    def __init__(self, limits: RuntimeLimits, runtimes_dir: Path) -> None:
        self.limits = limits
        self.hierarchy = cgroups.find_hierarchy(runtimes_dir)
        self.mechanism: Mechanism = (
            self.hierarchy.mechanism if self.hierarchy is not None else "rlimit"
        )
        if self.hierarchy is None:
            log.warning(
                "no writable cgroup with a memory controller: runtime limits fall back to "
                "per-process rlimits (see docs/limits.md)"
            )
        else:
            _lower_own_oom_score()

    def create(self, runtime_id: str, shape: str = "standard") -> RuntimeLimit:
        memory = self.limits.memory_for(shape)
        groups: list[cgroups.Group] = []
        if self.hierarchy is not None:
            groups = self.hierarchy.create(
                runtime_id, memory=memory, cpus=self.limits.cpus, pids=self.limits.pids
            )
        return RuntimeLimit(self.mechanism, groups, memory, self.limits.cpus, self.limits.pids)

    def reclaim_orphans(self, keep: set[str]) -> int:
        """Remove the cgroups of this data dir's runtimes not in ``keep`` (a killed
        service's), killing what still runs in them; returns how many went."""
        if self.hierarchy is None:
            return 0
        orphans = self.hierarchy.existing(exclude=keep)
        for groups in orphans.values():
            release_groups(groups)
        return len(orphans)


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def _lower_own_oom_score() -> None:
    try:
        Path("/proc/self/oom_score_adj").write_text(str(SERVICE_OOM_SCORE_ADJ))
    except OSError:
        pass  # lowering needs CAP_SYS_RESOURCE; runtimes still rank above us
