"""The `local` provider: one Jupyter server subprocess per runtime, in bubblewrap when present.

Layout of one runtime on the host, ``<runtimes_dir>/<runtime_id>/``:

- ``content/``: the runtime's /content (sample data copied in at creation);
- ``packages/``: its own package space (``pip install`` lands there);
- ``jupyter-runtime/``: the server's info file (the port it bound) and kernel
  connection files;
- ``home/`` (unsandboxed only: a sandbox gets a private tmpfs /root);
- ``server.log``: the server's stdout and stderr.

The whole folder is deleted when the runtime stops. As root it is a file system of
its own, ``CLOUDBOOK_RUNTIME_DISK`` big (``cloudbook.runtimes.disk``), and the
runtime's processes are in cgroups of their own (``cloudbook.runtimes.limits``).

Process hygiene: each runtime is its own session and process group, every process
of it carries ``CLOUDBOOK_RUNTIME_ID`` in its environment (how leftovers are found
and how a recycled pid is told apart), and it dies with the service: bwrap's
``--die-with-parent`` or, unsandboxed, ``PR_SET_PDEATHSIG``. Runtimes must be
started from a long-lived thread (the event loop's): the death signal follows the
thread that forked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import httpx

from cloudbook.runtimes import box, connect, mounts, network
from cloudbook.runtimes.disk import disk_usage, prepare_disk, release_disk
from cloudbook.runtimes.layout import (
    DRIVE_INSIDE,
    DRIVE_RO_INSIDE,
    DRIVE_SLOT_INSIDE,
    JUPYTER_RUNTIME_INSIDE,
    PACKAGES_INSIDE,
    SOCKET_NAME,
    Launch,
    NetworkMode,
    SlotKind,
    prepare_folder,
    sandbox_command,
)
from cloudbook.runtimes.limits import Limiter, RuntimeLimit, RuntimeLimits, resolve_limits
from cloudbook.runtimes.local_env import runtime_env, server_command
from cloudbook.runtimes.local_processes import (
    MARKER,
    die_with_parent,
    kill_late_slirp,
    kill_runtime,
    reap,
    runtime_pids,
)
from cloudbook.runtimes.provider import (
    Runtime,
    RuntimeSpec,
    RuntimeStartError,
    RuntimeStatus,
    RuntimeUsage,
)
from cloudbook.runtimes.sandbox import (
    SandboxUnavailable,
    choose_bwrap,
    gpu_devices,
    python_dirs,
)

__all__ = [
    "DRIVE_INSIDE",
    "DRIVE_RO_INSIDE",
    "DRIVE_SLOT_INSIDE",
    "JUPYTER_RUNTIME_INSIDE",
    "MARKER",
    "PACKAGES_INSIDE",
    "LocalProvider",
    "RuntimeStartError",
    "runtime_pids",
]

log = logging.getLogger("cloudbook.runtimes")

VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")  # one path component
# A hook run in the child before it drops root (cgroup placement): spec -> callable.
PreexecHook = Callable[[RuntimeSpec], Callable[[], None] | None]


NETWORK_TRIES = 3


class LocalProvider:
    name = "local"

    def __init__(
        self,
        runtimes_dir: Path,
        sandbox: Literal["auto", "bwrap", "none"] = "auto",
        start_timeout: float = 60,
        python: str = sys.executable,
        extra_pythonpath: list[str] | None = None,
        network_mode: NetworkMode = "internet",
        preexec_hook: PreexecHook | None = None,
        limits: RuntimeLimits | None = None,
        kernel_env: dict[str, str] | None = None,
        wheelhouse: Path | None = None,
    ) -> None:
        self.runtimes_dir = runtimes_dir
        # For every runtime, from the service's settings (settings.kernel_env).
        self.kernel_env = dict(kernel_env or {})
        # The images' shared wheels: a find-links folder of every runtime's pip (read-only).
        self.wheelhouse = wheelhouse
        self.start_timeout = start_timeout
        self.python = python
        self.extra_pythonpath = extra_pythonpath or []
        self.bwrap = choose_bwrap(sandbox)  # raises SandboxUnavailable for a missing "bwrap"
        self.network_mode: NetworkMode = network_mode
        self.preexec_hook = preexec_hook  # e.g. cgroup placement, run as root in the child
        if self.bwrap and network_mode == "internet" and network.slirp_path() is None:
            raise SandboxUnavailable(
                "runtime network 'internet' needs slirp4netns (apt-get install slirp4netns); "
                "or set CLOUDBOOK_RUNTIME_NETWORK=none"
            )
        # Root: every runtime runs as a host uid of its own (cloudbook.runtimes.box).
        self.as_root = box.running_as_root()
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._slirps: dict[str, subprocess.Popen[bytes]] = {}
        self._uids: dict[str, int] = {}
        self._userns: dict[str, int] = {}  # idmap user namespace (fd) of each runtime
        self._slots: dict[str, SlotKind] = {}
        self.limiter = Limiter(limits or resolve_limits(runtimes_dir), runtimes_dir)
        self._limits: dict[str, RuntimeLimit] = {}

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    def host_uid(self, runtime_id: str) -> int | None:
        """The host uid a runtime's processes run as (None: the service's own)."""
        return self._uids.get(runtime_id)

    def hand_over(self, runtime_id: str, path: Path) -> None:
        """Give files the service wrote into a runtime's folder to the runtime's host uid
        (root inside), e.g. the uploads and secrets of ``cloudbook run``."""
        uid = self._uids.get(runtime_id)
        if uid is not None:
            box.chown_tree(path, uid)

    def _idmapped(self) -> bool:
        return bool(self.bwrap) and self.as_root and box.idmap_supported(str(self.runtimes_dir))

    # --- start -----------------------------------------------------------------

    def _env(self, spec: RuntimeSpec, base: Path, slot: SlotKind | None = None) -> dict[str, str]:
        return runtime_env(
            spec,
            base,
            sandboxed=bool(self.bwrap),
            python=self.python,
            extra_pythonpath=self.extra_pythonpath,
            kernel_env=self.kernel_env,
            wheelhouse=self.wheelhouse,
            slot=slot,
        )

    async def start(self, spec: RuntimeSpec) -> Runtime:
        for attempt in range(NETWORK_TRIES):
            try:
                return await self._start_once(spec)
            except RuntimeStartError as exc:
                # Seen under heavy load (twice in a row at times): the kernel refused the
                # new namespace's loopback address (bwrap: "loopback: Failed RTM_NEWADDR").
                if "loopback: Failed" not in str(exc) or attempt == NETWORK_TRIES - 1:
                    raise
                log.warning(
                    "runtime %s: network namespace set-up failed, retrying", spec.runtime_id
                )
        raise AssertionError("unreachable")

    async def _start_once(self, spec: RuntimeSpec) -> Runtime:
        if not VALID_ID.fullmatch(spec.runtime_id):
            raise ValueError(f"not a usable runtime id: {spec.runtime_id!r}")
        if spec.accelerator == "gpu" and not (spec.gpu_devices or gpu_devices()):
            raise RuntimeStartError("a GPU runtime was asked for but this machine has no GPU")
        base = self.runtimes_dir / spec.runtime_id
        content = base / "content"
        runtime = Runtime(
            runtime_id=spec.runtime_id,
            url="",
            token=secrets.token_urlsafe(32),
            sandboxed=self.sandboxed,
            content_dir=str(content),
        )
        launch = Launch()
        try:
            limit = self.limiter.create(spec.runtime_id, getattr(spec, "shape", "standard"))
            self._limits[spec.runtime_id] = limit
            # The bounded disk is mounted on the runtime's folder before anything is made in it.
            disk = await asyncio.to_thread(prepare_disk, base, self.limiter.limits.disk)
            runtime.limits = {
                **limit.report(),
                "disk": self.limiter.limits.disk if disk != "none" else None,
                "disk_mechanism": disk,
            }
            if self.bwrap and self.as_root:
                self._uids[spec.runtime_id] = box.host_uid(
                    spec.runtime_id, set(self._uids.values())
                )
            uid = self._uids.get(spec.runtime_id)
            overlays = await asyncio.to_thread(self._idmapped)
            bound = await asyncio.to_thread(python_dirs, self.python) if self.bwrap else ()
            await asyncio.to_thread(
                prepare_folder, base, uid, overlays, self.sandboxed, self.network_mode, bound
            )
            slot = await asyncio.to_thread(self._make_slot, spec, base)
            if slot is not None:
                self._slots[spec.runtime_id] = slot
            env = self._env(spec, base, slot)
            socket_host = base / "jupyter-runtime" / SOCKET_NAME
            if self.bwrap:
                command = server_command(
                    self.python, "/content", f"{JUPYTER_RUNTIME_INSIDE}/{SOCKET_NAME}"
                )
                command = await asyncio.to_thread(
                    sandbox_command,
                    self.bwrap,
                    self.python,
                    self.network_mode,
                    spec,
                    base,
                    slot,
                    env,
                    command,
                    uid,
                    overlays,
                    launch,
                )
                if launch.userns_fd is not None:  # the drive of a warm runtime needs it later
                    self._userns[spec.runtime_id] = launch.userns_fd
                    launch.userns_fd = None
                runtime.socket_path = str(socket_host)
            else:
                # Relative to its working directory (content/): AF_UNIX paths are short.
                command = server_command(
                    self.python, str(content), f"../jupyter-runtime/{SOCKET_NAME}"
                )
                runtime.socket_path = str(socket_host)
            config_r, config_w = os.pipe()
            launch.child_fds.append(config_r)
            launch.parent_fds.append(config_w)
            command.append(f"--box-fd={config_r}")
            launch.config["token"] = runtime.token
            launch.config["sandboxed"] = bool(self.bwrap)
            launch.config["host_uid"] = uid
            preexec = self._preexec(spec, limit)
            proc = self._spawn(
                command, content, env, base / "server.log", preexec, launch.child_fds
            )
            launch.close_child_fds()
            self._procs[spec.runtime_id] = proc
            runtime.pid = proc.pid
            launch.parent_fds.remove(config_w)
            # A child that died at once (bwrap failing) closed the other end: its exit
            # status and log are reported by _wait_ready below.
            with contextlib.suppress(BrokenPipeError), os.fdopen(config_w, "wb") as pipe:
                pipe.write(json.dumps(launch.config).encode())
            if launch.info_r is not None:
                try:
                    child = await asyncio.to_thread(
                        network.read_child_pid, launch.info_r, self.start_timeout
                    )
                except network.NetworkUnavailable:
                    launch.info_r = None
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        await asyncio.to_thread(proc.wait, 5)
                    raise RuntimeStartError(
                        "the sandbox did not start:\n" + self._log_tail(runtime)
                    ) from None
                launch.info_r = None
                starting = asyncio.ensure_future(
                    asyncio.to_thread(
                        network.start_slirp,
                        child,
                        env={MARKER: spec.runtime_id, "PATH": "/usr/bin:/bin"},
                        log_path=base / "network.log",
                        preexec=die_with_parent,
                        userns=uid is None,
                        timeout=self.start_timeout,
                    )
                )
                try:
                    self._slirps[spec.runtime_id] = await asyncio.shield(starting)
                except asyncio.CancelledError:
                    # A cancelled start (the service shutting down): the thread runs on,
                    # and the slirp4netns it starts is killed and reaped when it returns,
                    # however many cancellations follow.
                    starting.add_done_callback(kill_late_slirp)
                    raise
            if runtime.socket_path:
                runtime.url = connect.SOCKET_HOST
            await self._wait_ready(runtime, proc)
        except BaseException:
            launch.close_all()
            await self.stop(runtime)
            raise
        return runtime

    def _preexec(self, spec: RuntimeSpec, limit: RuntimeLimit | None) -> Callable[[], None]:
        hook = self.preexec_hook(spec) if self.preexec_hook is not None else None

        def run() -> None:
            if hook is not None:
                hook()
            if limit is not None:
                limit.preexec()  # its cgroup: limited from its first step (before root is dropped)
            die_with_parent()

        return run

    def _make_slot(self, spec: RuntimeSpec, base: Path) -> SlotKind | None:
        """An empty drive slot for a runtime started without its user's drive."""
        if spec.drive_dir:
            return None
        if not self.bwrap:
            (base / "drive-slot").mkdir(exist_ok=True)
            return "link"  # no mount namespace: a symbolic link does
        if not mounts.available(str(self.runtimes_dir)):
            return None
        try:
            mounts.make_shared_slot(base / "drive-slot")
        except OSError as exc:
            log.warning("no drive slot for a warm runtime (%s): drives bind at start", exc)
            return None
        return "mount"

    async def assign_drive(self, runtime: Runtime, drive_dir: Path) -> bool:
        """Make ``drive_dir`` the runtime's drive (writable and read-only views); False when
        this runtime has no slot (its drive must then be bound at start)."""
        kind = self._slots.get(runtime.runtime_id)
        if kind is None:
            return False
        slot = self.runtimes_dir / runtime.runtime_id / "drive-slot"
        userns = self._userns.get(runtime.runtime_id)
        await asyncio.to_thread(self._fill_slot, kind, slot, drive_dir, userns)
        return True

    @staticmethod
    def _fill_slot(kind: SlotKind, slot: Path, drive_dir: Path, userns: int | None) -> None:
        drive_dir.mkdir(parents=True, exist_ok=True)
        if kind == "link":
            (slot / "rw").symlink_to(drive_dir.resolve(), target_is_directory=True)
            return
        if userns is not None:  # files stay the service's on disk, root's inside the runtime
            for name, readonly in (("ro", True), ("rw", False)):
                clone = box.idmapped_clone(drive_dir, userns, readonly=readonly)
                try:
                    mounts.attach(clone, slot / name)
                finally:
                    os.close(clone)
        else:
            mounts.bind(drive_dir, slot / "ro", readonly=True, stage=slot.parent)
            mounts.bind(drive_dir, slot / "rw")
        mounts.seal(slot)  # the sandbox has its copies: nothing made later reaches them

    async def listening_ports(self, runtime: Runtime) -> set[int]:
        from cloudbook.runtimes.ports import listening_ports

        if runtime.runtime_id not in self._procs:
            return set()
        pids = await asyncio.to_thread(runtime_pids, runtime.runtime_id)
        slirp = self._slirps.get(runtime.runtime_id)
        if slirp is not None:
            pids = [p for p in pids if p != slirp.pid]  # its sockets are the host's
        return await asyncio.to_thread(listening_ports, pids)

    def _remove(self, base: Path) -> None:
        """Delete a runtime's folder, never through a mount (a user's drive may be below)."""
        with contextlib.suppress(OSError):
            release_disk(base)  # the drive slot's mounts, then the runtime's own disk
        left = mounts.mounts_below(base)
        if left:
            log.error("not deleting %s: %d mount(s) still below it", base.name, len(left))
            return
        shutil.rmtree(base, True)

    def _spawn(
        self,
        command: list[str],
        cwd: Path,
        env: dict[str, str],
        log_path: Path,
        preexec: Callable[[], None] | None = None,
        pass_fds: list[int] | None = None,
    ) -> subprocess.Popen[bytes]:
        """``preexec`` runs in the child as root, before it becomes the runtime's uid."""
        with open(log_path, "wb") as log:
            return subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=tuple(pass_fds or ()),
                preexec_fn=preexec or die_with_parent,
            )

    def _bound_port(self, runtime: Runtime) -> int | None:
        """The port from the server's info file (``jpserver-<pid>.json``), once written."""
        folder = self.runtimes_dir / runtime.runtime_id / "jupyter-runtime"
        for info in folder.glob("jpserver-*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                port = int(json.loads(info.read_text())["port"])
                if port > 0:
                    return port
        return None

    async def _wait_ready(self, runtime: Runtime, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.start_timeout
        headers = {"Authorization": f"token {runtime.token}"}
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeStartError(
                    f"the runtime's Jupyter server exited with status {proc.returncode}:\n"
                    + self._log_tail(runtime)
                )
            if not runtime.url:
                port = self._bound_port(runtime)
                if port is not None:
                    runtime.url = f"http://127.0.0.1:{port}"
            if runtime.url:
                with contextlib.suppress(httpx.HTTPError):
                    r = await connect.http_client(runtime).get(
                        connect.http_url(runtime, "/api/status"), headers=headers, timeout=5
                    )
                    if r.status_code == 200:
                        return
            await asyncio.sleep(0.05)
        raise RuntimeStartError(
            f"the runtime's Jupyter server did not answer within {self.start_timeout:g} s:\n"
            + self._log_tail(runtime)
        )

    def log_tail(self, runtime: Runtime, lines: int = 20) -> str:
        """The last lines of the runtime's server log (its kernels' stderr too), token
        masked, with a heading."""
        return f"Last lines of the runtime's log:\n{self._log_tail(runtime, lines)}"

    def _log_tail(self, runtime: Runtime, lines: int = 20) -> str:
        try:
            text = (self.runtimes_dir / runtime.runtime_id / "server.log").read_text(
                errors="replace"
            )
        except OSError:
            return "(no output)"
        tail = "\n".join(deque(text.splitlines(), maxlen=lines)) or "(no output)"
        return tail.replace(runtime.token, "***") if runtime.token else tail

    # --- stop ------------------------------------------------------------------

    async def stop(self, runtime: Runtime) -> None:
        proc = self._procs.pop(runtime.runtime_id, None)
        slirp = self._slirps.pop(runtime.runtime_id, None)
        self._slots.pop(runtime.runtime_id, None)
        limit = self._limits.pop(runtime.runtime_id, None)
        await asyncio.to_thread(kill_runtime, runtime.runtime_id, runtime.pid, proc)
        if slirp is not None:
            with contextlib.suppress(OSError):
                slirp.kill()
            await asyncio.to_thread(reap, slirp)
        await connect.forget(runtime)
        if limit is not None:
            await asyncio.to_thread(limit.release)
        await asyncio.to_thread(self._remove, self.runtimes_dir / runtime.runtime_id)
        self._uids.pop(runtime.runtime_id, None)
        userns = self._userns.pop(runtime.runtime_id, None)
        if userns is not None:
            os.close(userns)

    # --- status and orphans ----------------------------------------------------

    async def status(self, runtime: Runtime) -> RuntimeStatus:
        """``running`` while the process lives and its server accepts connections;
        ``dead`` once either is gone; ``stopped`` for a runtime this provider is not running.
        A server too busy to answer within 5 s still counts as running."""
        sandboxed = runtime.sandboxed
        proc = self._procs.get(runtime.runtime_id)
        if proc is None:
            return RuntimeStatus(state="stopped", sandboxed=sandboxed)
        if proc.poll() is not None:
            return RuntimeStatus(state="dead", sandboxed=sandboxed)
        headers = {"Authorization": f"token {runtime.token}"}
        try:
            r = await connect.http_client(runtime).get(
                connect.http_url(runtime, "/api/status"), headers=headers, timeout=5
            )
        except httpx.TimeoutException:
            return RuntimeStatus(state="running", sandboxed=sandboxed)
        except httpx.HTTPError:
            return RuntimeStatus(state="dead", sandboxed=sandboxed)
        state: Literal["running", "dead"] = "running" if r.status_code == 200 else "dead"
        return RuntimeStatus(state=state, sandboxed=sandboxed)

    async def reclaim_orphans(self, records: list[Runtime], keep: set[str] | None = None) -> None:
        """Kill what runtimes of a previous (killed) service left, and delete their folders.

        ``records`` are the runtimes that service had recorded; any other folder under
        ``runtimes_dir`` (a crash before the record was written) goes too, except the
        runtimes this provider runs and those named in ``keep``.
        """
        spared = set(self._procs) | (keep or set())
        ids = {r.runtime_id: r.pid for r in records if r.runtime_id not in spared}
        if self.runtimes_dir.exists():
            for folder in self.runtimes_dir.iterdir():
                if folder.name not in spared:
                    ids.setdefault(folder.name, None)
        for runtime_id, pid in ids.items():
            await asyncio.to_thread(kill_runtime, runtime_id, pid, None)
            # Its network helper was killed with it (it carries the marker): reap it.
            slirp = self._slirps.pop(runtime_id, None)
            if slirp is not None:
                await asyncio.to_thread(reap, slirp)
            await asyncio.to_thread(self._remove, self.runtimes_dir / runtime_id)
        # cgroups whose folder is gone already (killed between the two), processes included
        await asyncio.to_thread(self.limiter.reclaim_orphans, spared)

    async def usage(self, runtime: Runtime) -> RuntimeUsage:
        limit = self._limits.get(runtime.runtime_id)
        if limit is None:
            return RuntimeUsage()
        disk = await asyncio.to_thread(disk_usage, self.runtimes_dir / runtime.runtime_id)
        used = await asyncio.to_thread(limit.memory_used)
        return RuntimeUsage(
            memory_used=used,
            memory_total=limit.memory if used is not None else None,
            disk_used=disk[0] if disk else None,
            disk_total=disk[1] if disk else None,
            oom_kills=await asyncio.to_thread(limit.oom_kills),
        )
