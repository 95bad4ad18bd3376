"""cgroup v1 and v2 as files: find a writable hierarchy, make a runtime's groups.

Layout: ``<controller root>/cloudbook/<key>/<runtime id>`` where ``key`` is a hash
of the runtimes folder, so every data dir on a host has its own subtree and a
restarted service finds (and removes) exactly what a killed one of the same data
dir left. v1 has one such folder per controller (memory, pids, cpu); v2 one
folder for all of them, with the controllers enabled down the path.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

log = logging.getLogger("cloudbook.runtimes")

TOP = "cloudbook"
CFS_PERIOD = 100_000  # µs
CONTROLLERS = ("memory", "pids", "cpu")


@dataclass(frozen=True)
class Group:
    """One cgroup folder; ``controllers`` are those it limits."""

    path: Path
    version: Literal[1, 2]
    controllers: frozenset[str]

    @property
    def controller(self) -> str:
        return "unified" if self.version == 2 else next(iter(self.controllers))

    @property
    def procs_file(self) -> bytes:
        return os.fsencode(self.path / "cgroup.procs")

    def _read(self, name: str) -> str | None:
        try:
            return (self.path / name).read_text()
        except OSError:
            return None

    def _keyed(self, name: str, key: str) -> int | None:
        text = self._read(name)
        for line in (text or "").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key:
                return int(parts[1])
        return None

    def memory_used(self) -> int | None:
        if self.version == 1:
            usage = self._read("memory.usage_in_bytes")
            cache = self._keyed("memory.stat", "total_inactive_file") or 0
        else:
            usage = self._read("memory.current")
            cache = self._keyed("memory.stat", "inactive_file") or 0
        if usage is None:
            return None
        return max(0, int(usage) - cache)

    def oom_kills(self) -> int:
        if self.version == 1:
            return self._keyed("memory.oom_control", "oom_kill") or 0
        return self._keyed("memory.events", "oom_kill") or 0

    def pids(self) -> set[int]:
        text = self._read("cgroup.procs")
        return {int(p) for p in (text or "").split()}

    def remove(self) -> None:
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    raise
                time.sleep(0.02)  # the last task is still exiting
        log.error("cgroup %s still busy; left in place", self.path)

    def remove_parent_if_empty(self) -> None:
        """The data dir's folder goes with its last runtime (EBUSY while others live)."""
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _mounts() -> list[tuple[str, str, list[str]]]:
    """(mount point, fs type, options) of cgroup file systems."""
    found = []
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
            found.append((parts[1], parts[2], parts[3].split(",")))
    return found


def data_dir_key(runtimes_dir: Path) -> str:
    return hashlib.sha256(os.fsencode(os.path.realpath(runtimes_dir))).hexdigest()[:12]


class Hierarchy:
    """Where this service makes its runtimes' cgroups."""

    def __init__(
        self, version: Literal[1, 2], bases: dict[str, Path], v2_root: Path | None = None
    ) -> None:
        self.version = version
        self.v2_root = v2_root
        self.bases = bases  # controller (v1) or "unified" (v2) → the data dir's folder
        self.mechanism: Literal["cgroup-v1", "cgroup-v2"] = f"cgroup-v{version}"  # type: ignore[assignment]
        self.controllers = frozenset(CONTROLLERS) & (
            # v2: what the data dir's folder will enable for its runtimes, as its parent does
            frozenset(bases) if version == 1 else _v2_enabled(bases["unified"].parent)
        )

    def create(self, runtime_id: str, *, memory: int, cpus: float, pids: int) -> list[Group]:
        groups: list[Group] = []
        try:
            for name, base in self.bases.items():
                path = base / runtime_id
                for attempt in range(3):
                    self._ensure(base)  # the last runtime's release may have removed it
                    try:
                        path.mkdir()
                        break
                    except FileNotFoundError:  # ... just now: make it again
                        if attempt == 2:
                            raise
                controllers = frozenset([name]) if self.version == 1 else self.controllers
                group = Group(path, self.version, controllers)
                groups.append(group)
                self._configure(group, memory=memory, cpus=cpus, pids=pids)
        except BaseException:
            for group in groups:
                with contextlib.suppress(OSError):
                    group.remove()
            raise
        return groups

    def _ensure(self, base: Path) -> None:
        if base.is_dir():
            return
        if self.version == 2 and self.v2_root is not None:
            _v2_enable_down(self.v2_root, [base.parent, base])
        else:
            base.mkdir(parents=True, exist_ok=True)

    def _configure(self, group: Group, *, memory: int, cpus: float, pids: int) -> None:
        p = group.path
        quota = max(1000, int(cpus * CFS_PERIOD))
        if group.version == 1:
            if "memory" in group.controllers:
                _write(p / "memory.limit_in_bytes", str(memory))
                # Swap counted in the same limit: the kernel is killed, not paged out.
                if (p / "memory.memsw.limit_in_bytes").exists():
                    _write(p / "memory.memsw.limit_in_bytes", str(memory))
            if "pids" in group.controllers:
                _write(p / "pids.max", str(pids))
            if "cpu" in group.controllers:
                _write(p / "cpu.cfs_period_us", str(CFS_PERIOD))
                _write(p / "cpu.cfs_quota_us", str(quota))
            return
        if "memory" in group.controllers:
            _write(p / "memory.max", str(memory))
            if (p / "memory.swap.max").exists():
                _write(p / "memory.swap.max", "0")
        if "pids" in group.controllers:
            _write(p / "pids.max", str(pids))
        if "cpu" in group.controllers:
            _write(p / "cpu.max", f"{quota} {CFS_PERIOD}")

    def existing(self, exclude: set[str]) -> dict[str, list[Group]]:
        """Runtime groups under this data dir's folders, by runtime id."""
        found: dict[str, list[Group]] = {}
        for name, base in self.bases.items():
            try:
                entries = [e for e in base.iterdir() if e.is_dir()]
            except OSError:
                continue
            for entry in entries:
                if entry.name in exclude:
                    continue
                controllers = frozenset([name]) if self.version == 1 else self.controllers
                found.setdefault(entry.name, []).append(Group(entry, self.version, controllers))
        return found


def _v2_enabled(folder: Path) -> frozenset[str]:
    try:
        text = (folder / "cgroup.subtree_control").read_text()
    except OSError:
        return frozenset()
    return frozenset(c.lstrip("+") for c in text.split())


def _v2_enable_down(root: Path, folders: list[Path]) -> None:
    """Enable memory/pids/cpu in ``root`` and each folder below it on the way."""
    wanted = set(CONTROLLERS) & set((root / "cgroup.controllers").read_text().split())
    for folder in [root, *folders]:
        folder.mkdir(exist_ok=True)
        missing = wanted - _v2_enabled(folder)
        if missing:
            _write(folder / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(missing)))


def _find_v2(mounts: list[tuple[str, str, list[str]]], key: str) -> Hierarchy | None:
    for mount_point, fstype, _ in mounts:
        if fstype != "cgroup2":
            continue
        root = Path(mount_point)
        try:
            available = set((root / "cgroup.controllers").read_text().split())
        except OSError:
            continue
        if not {"memory", "pids"} <= available:
            continue  # e.g. the hybrid layout's /sys/fs/cgroup/unified: no controllers
        top = root / TOP
        base = top / key  # made with the first runtime, removed with the last
        try:
            _v2_enable_down(root, [top])
        except OSError as exc:
            # EBUSY: ``root`` holds processes (a container's namespace root); the
            # operator must delegate a subtree (docs/limits.md).
            log.warning("cgroup v2 at %s is not usable for runtimes: %s", root, exc)
            continue
        return Hierarchy(2, {"unified": base}, v2_root=root)
    return None


def _find_v1(mounts: list[tuple[str, str, list[str]]], key: str) -> Hierarchy | None:
    points: dict[str, Path] = {}
    for point, fstype, options in mounts:
        if fstype != "cgroup":
            continue
        for controller in CONTROLLERS:
            if controller in options and controller not in points:
                points[controller] = Path(point)
    if "memory" not in points:
        return None
    bases: dict[str, Path] = {}
    for controller, controller_root in points.items():
        top = controller_root / TOP
        try:
            top.mkdir(exist_ok=True)  # the data dir's folder below: with its first runtime
        except OSError as exc:
            if controller == "memory":
                log.warning("cgroup v1 memory controller not writable: %s", exc)
                return None
            continue
        bases[controller] = top / key
    return Hierarchy(1, bases)


def find_hierarchy(runtimes_dir: Path) -> Hierarchy | None:
    """The cgroup hierarchy to use, v2 first; None when neither is usable here."""
    if os.geteuid() != 0:
        return None  # cgroup folders belong to root unless delegated (docs/limits.md)
    mounts = _mounts()
    key = data_dir_key(runtimes_dir)
    return _find_v2(mounts, key) or _find_v1(mounts, key)
