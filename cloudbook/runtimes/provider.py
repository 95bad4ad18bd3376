"""The interface every runtime provider implements.

A runtime is a running Jupyter server (URL + token) with its own ``/content``.
Providers only start and stop them; allocation policy (warm pool, ownership,
idle reclaim) lives in :mod:`cloudbook.runtimes.manager`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

RuntimeState = Literal["starting", "running", "stopped", "dead"]


class RuntimeStartError(RuntimeError):
    """A runtime could not be started; the message says why (never a token)."""


class RuntimeRefused(RuntimeStartError):
    """The provider refused what was asked (e.g. a cluster without a GPU profile); the
    message is shown to the user."""


@dataclass(frozen=True)
class RuntimeSpec:
    """What the caller asks for."""

    runtime_id: str
    accelerator: Literal["none", "gpu"] = "none"
    # Runtime shape ("highmem": Colab's High-RAM); the limits settings map it to memory.
    shape: Literal["standard", "highmem"] = "standard"
    # Host device nodes of the runtime's GPU (its /dev/nvidiaN plus the control nodes),
    # bound at /dev/<name>; empty for a CPU runtime. See cloudbook.runtimes.gpus.
    gpu_devices: tuple[str, ...] = ()
    # The GPU model asked for, for providers that place GPUs themselves (jupyterhub).
    gpu_type: str | None = None
    # The owner's drive folder on this machine, for google.colab.drive.mount().
    drive_dir: str | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Runtime:
    """A started runtime: where its Jupyter server answers and how to authenticate.

    Connect with :mod:`cloudbook.runtimes.connect` (``http_client``, ``ws_connect``).
    """

    runtime_id: str
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    token: str
    sandboxed: bool
    pid: int | None = None  # process (group leader) on this machine, when local
    content_dir: str | None = None  # host path seen as /content, when local
    # The server's Unix socket on this machine (local runtimes): when set, ``url`` is not
    # reachable and every connection goes through cloudbook.runtimes.connect.
    socket_path: str | None = None
    # What bounds it (GET /api/runtimes/{id} "limits"): mechanism, memory, cpus, pids, disk.
    limits: dict[str, Any] | None = None
    # Not on this machine (a JupyterHub server): its own ports are reached through its
    # server's forwarder, as a sandboxed runtime's are, never through this host's loopback.
    remote: bool = False

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http") :]


@dataclass(frozen=True)
class RuntimeUsage:
    """Figures the host measures for a runtime (bytes); None where it cannot."""

    memory_used: int | None = None
    memory_total: int | None = None
    disk_used: int | None = None
    disk_total: int | None = None
    oom_kills: int = 0  # processes the kernel killed in it for want of memory


@dataclass(frozen=True)
class RuntimeStatus:
    state: RuntimeState
    sandboxed: bool


class RuntimeProvider(Protocol):
    name: str

    async def start(self, spec: RuntimeSpec) -> Runtime:
        """Start a runtime and return once its Jupyter server answers."""
        ...

    async def stop(self, runtime: Runtime) -> None:
        """Stop it and everything it started; remove its files. Idempotent."""
        ...

    async def status(self, runtime: Runtime) -> RuntimeStatus: ...

    async def listening_ports(self, runtime: Runtime) -> set[int]:
        """TCP ports the runtime's own processes listen on (not its Jupyter server's)."""
        ...

    async def assign_drive(self, runtime: Runtime, drive_dir: Path) -> bool:
        """Give a runtime started without a drive its user's drive; False when it cannot
        (the caller then starts a runtime with ``RuntimeSpec.drive_dir``)."""
        ...

    async def usage(self, runtime: Runtime) -> RuntimeUsage:
        """Memory and disk against the runtime's limits, and its OOM kills so far."""
        ...

    async def reclaim_orphans(self, records: list[Runtime]) -> None:
        """Stop runtimes a previous (killed) server left behind."""
        ...
