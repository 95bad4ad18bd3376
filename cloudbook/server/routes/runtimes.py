"""Notebook sessions, runtimes, kernel control and the kernel WebSocket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request, Response, WebSocket
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import CurrentUser, ServicesDep, app_state, authenticate, services_of
from cloudbook.server.ws_guard import deny as _deny
from cloudbook.server.ws_guard import same_origin as _same_origin
from cloudbook.server.ws_guard import serve_until_lost
from cloudbook.services.errors import NotFound, ServiceError, Unavailable

if TYPE_CHECKING:
    from cloudbook.runtimes.manager import ManagedRuntime, Queued
    from cloudbook.runtimes.provider import RuntimeUsage
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo

log = logging.getLogger("cloudbook.server")
router = APIRouter(tags=["runtimes"])


class SessionOut(BaseModel):
    runtime_id: str
    kernel_id: str
    channels_url: str
    accelerator: Literal["none", "gpu"] = "none"
    gpu_type: str | None = None
    shape: Literal["standard", "highmem"] = "standard"
    # "attached": a Jupyter server the user runs (connected by URL); no resources bar.
    kind: Literal["local", "attached"] = "local"


class QueuedOut(BaseModel):
    """202: the notebook waits for a GPU; ask again (GET) to follow its place in line."""

    queued: Literal[True] = True
    position: int
    gpu_type: str | None


class AttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000)
    token: str | None = Field(default=None, max_length=500)


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # No GPU free for a GPU notebook: "fail" (409 gpu_unavailable), "wait" in line, or
    # use the "cpu" this time.
    on_no_gpu: Literal["fail", "wait", "cpu"] = "fail"
    attach: AttachIn | None = None


class LimitsOut(BaseModel):
    """What bounds a runtime (docs/limits.md); null where nothing enforces that figure."""

    mechanism: Literal["cgroup-v2", "cgroup-v1", "rlimit"]
    memory: int | None  # bytes, swap included
    cpus: float | None
    pids: int | None
    disk: int | None  # bytes: /content plus the runtime's writable layers
    disk_mechanism: Literal["loop-ext4", "none"]


class RuntimeOut(BaseModel):
    id: str
    state: Literal["starting", "running", "stopped", "dead"]
    sandboxed: bool
    notebook_id: str | None
    kernel_id: str
    resources: dict[str, Any] | None
    limits: LimitsOut | None
    # Processes the kernel killed in this runtime for want of memory: when it grows the
    # page says "Your session crashed after using all available RAM".
    oom_kills: int


class Usage(BaseModel):
    used: int
    total: int


class GpuOut(BaseModel):
    name: str
    memory_used: int
    memory_total: int
    utilization: int


class ResourcesOut(BaseModel):
    memory: Usage
    disk: Usage
    gpus: list[GpuOut]


def _session(m: ManagedRuntime | Queued) -> SessionOut | JSONResponse:
    from cloudbook.runtimes.manager import Queued

    if isinstance(m, Queued):
        body = QueuedOut(position=m.position, gpu_type=m.gpu_type)
        return JSONResponse(body.model_dump(), status_code=202)
    return SessionOut(
        runtime_id=m.id,
        kernel_id=m.kernel_id,
        channels_url=f"/api/runtimes/{m.id}/kernels/{m.kernel_id}/channels",
        accelerator=m.rtype.accelerator,
        gpu_type=m.gpu.name if m.gpu is not None else None,
        shape=m.rtype.shape,
        kind="attached" if m.attached else "local",
    )


_QUEUED: dict[int | str, dict[str, Any]] = {202: {"model": QueuedOut}}


@router.post("/api/notebooks/{notebook_id}/session", response_model=SessionOut, responses=_QUEUED)
async def attach(
    notebook_id: str,
    request: Request,
    user: CurrentUser,
    s: ServicesDep,
    body: SessionIn | None = None,
) -> SessionOut | JSONResponse:
    from cloudbook.services.runtime_types import attach_by_type

    # Each person runs a notebook in a runtime of their own (their drive, their secrets):
    # the owner and editors; viewers run a playground copy.
    await s.notebooks.get_info(user, notebook_id, "editor")
    body = body or SessionIn()
    if body.attach is not None:
        from cloudbook.runtimes.attach import Allowlist, connect

        allowed = Allowlist.parse(app_state(request).settings.attach_allowed)
        runtime, kernel_id = await connect(body.attach.url, body.attach.token, allowed)
        return _session(await s.runtimes.attach_server(user, notebook_id, runtime, kernel_id))
    return _session(
        await attach_by_type(s.notebooks, s.runtimes, user, notebook_id, body.on_no_gpu)
    )


@router.get("/api/notebooks/{notebook_id}/session", response_model=SessionOut, responses=_QUEUED)
async def get_session(
    notebook_id: str, user: CurrentUser, s: ServicesDep
) -> SessionOut | JSONResponse:
    await s.notebooks.get_info(user, notebook_id, "editor")
    managed = await s.runtimes.session_of(user, notebook_id)
    if managed is not None:
        return _session(managed)
    queued = s.runtimes.queued(user, notebook_id)
    if queued is not None:
        return _session(queued)
    raise NotFound("This notebook has no runtime.", code="no_session")


@router.delete("/api/notebooks/{notebook_id}/session", status_code=204)
async def detach(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.notebooks.get_info(user, notebook_id, "editor")
    await s.runtimes.detach_notebook(user, notebook_id)
    return Response(status_code=204)


@router.get("/api/runtimes/{runtime_id}", response_model=RuntimeOut)
async def runtime_status(runtime_id: str, user: CurrentUser, s: ServicesDep) -> RuntimeOut:
    from cloudbook.runtimes.jupyter_api import JupyterServerClient

    managed = await reachable_runtime(s, user, runtime_id)
    status = await s.runtimes.status(managed)
    usage = await s.runtimes.provider.usage(managed.runtime)
    resources: dict[str, Any] | None = None
    if status.state == "running":
        try:
            resources = await JupyterServerClient(managed.runtime).get_json(
                "/api/cloudbook/resources"
            )
            resources = _with_usage(resources, usage)
        except Exception:
            resources = None
    limits = managed.runtime.limits
    return RuntimeOut(
        id=managed.id,
        state=status.state,
        sandboxed=managed.runtime.sandboxed,
        notebook_id=managed.notebook_id,
        kernel_id=managed.kernel_id,
        resources=resources,
        limits=LimitsOut.model_validate(limits) if limits else None,
        oom_kills=usage.oom_kills,
    )


def _with_usage(figures: Any, usage: RuntimeUsage) -> Any:
    """The runtime's own figures, memory and disk replaced by its limits and usage as the
    host measures them (the runtime itself sees the host's totals)."""
    if not isinstance(figures, dict):
        return figures
    figures = dict(figures)
    if usage.memory_used is not None and usage.memory_total is not None:
        figures["memory"] = {"used": usage.memory_used, "total": usage.memory_total}
    if usage.disk_used is not None and usage.disk_total is not None:
        figures["disk"] = {"used": usage.disk_used, "total": usage.disk_total}
    return figures


@router.get("/api/runtimes/{runtime_id}/resources", response_model=ResourcesOut)
async def runtime_resources(runtime_id: str, user: CurrentUser, s: ServicesDep) -> ResourcesOut:
    """RAM, disk and GPUs of the runtime, for the bar at the top right (polled)."""
    from cloudbook.runtimes.jupyter_api import JupyterServerClient

    managed = await reachable_runtime(s, user, runtime_id)
    try:
        data = await JupyterServerClient(managed.runtime, timeout=10).get_json(
            "/api/cloudbook/resources"
        )
        usage = await s.runtimes.provider.usage(managed.runtime)
        return ResourcesOut.model_validate(_with_usage(data, usage))
    except Exception:
        raise ServiceError(
            "The runtime did not report its resources.", code="runtime_error", status=502
        ) from None


@router.delete("/api/runtimes/{runtime_id}", status_code=204)
async def delete_runtime(runtime_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.runtimes.delete(user, runtime_id)
    return Response(status_code=204)


@router.post("/api/runtimes/{runtime_id}/kernels/{kernel_id}/interrupt", status_code=204)
async def interrupt(runtime_id: str, kernel_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    from cloudbook.runtimes.jupyter_api import JupyterServerClient

    managed = await reachable_runtime(s, user, runtime_id)
    await JupyterServerClient(managed.runtime).interrupt_kernel(_kernel_of(managed, kernel_id))
    return Response(status_code=204)


@router.post("/api/runtimes/{runtime_id}/kernels/{kernel_id}/restart", status_code=204)
async def restart(runtime_id: str, kernel_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    from cloudbook.runtimes.jupyter_api import JupyterServerClient

    managed = await reachable_runtime(s, user, runtime_id)
    await JupyterServerClient(managed.runtime).restart_kernel(_kernel_of(managed, kernel_id))
    if s.executors is not None:
        s.executors.kernel_restarted(managed.id, kernel_id)
    return Response(status_code=204)


async def reachable_runtime(s: Services, user: UserInfo, runtime_id: str) -> ManagedRuntime:
    """The caller's runtime, wherever held, as long as this replica can reach it."""
    managed = await s.runtimes.locate(user, runtime_id)
    if not s.runtimes.reaches_directly(managed):
        raise Unavailable(
            "This runtime is served by another replica; ask that one, or try again.",
            code="runtime_elsewhere",
        )
    return managed


async def _forward(websocket: WebSocket, holder_url: str) -> None:
    """Relay to the replica holding the runtime (cloudbook.server.replica_forward)."""
    from cloudbook.server.replica_forward import forward

    await forward(websocket, holder_url)


def _kernel_of(managed: ManagedRuntime, kernel_id: str) -> str:
    if kernel_id != managed.kernel_id:
        raise NotFound("No such kernel.", code="no_such_kernel")
    return kernel_id


@router.websocket("/api/runtimes/{runtime_id}/kernels/{kernel_id}/channels")
async def kernel_channels(websocket: WebSocket, runtime_id: str, kernel_id: str) -> None:
    from cloudbook.server.kernel_proxy import proxy_kernel_channels
    from cloudbook.server.replica_forward import was_forwarded

    if not _same_origin(websocket):
        await _deny(websocket, 403, "foreign_origin", "Cross-origin WebSocket refused.")
        return
    lost = asyncio.Event()
    try:
        services = await services_of(websocket)
        user = await authenticate(websocket, unsafe=False)
        managed = await services.runtimes.locate(user, runtime_id)
        _kernel_of(managed, kernel_id)
        stop = await _watch_access(services, user, managed.notebook_id, lost)
    except ServiceError as exc:
        await _deny(websocket, exc.status, exc.code, exc.message)
        return
    if managed.held_by is not None:  # another replica holds it: it checks access too
        stop()
        if was_forwarded(websocket):  # records disagree: never bounce between replicas
            await _deny(websocket, 503, "replica_unreachable", "Reconnect in a moment.")
            return
        await _forward(websocket, managed.held_by)
        return
    try:
        await serve_until_lost(
            proxy_kernel_channels(
                websocket, managed.runtime, kernel_id, services.kernel_hub, owner=str(user.id)
            ),
            websocket,
            lost,
        )
    finally:
        stop()


async def _watch_access(
    services: Services, user: UserInfo, notebook_id: str | None, lost: asyncio.Event
) -> Callable[[], None]:
    """Still allowed to run this drive notebook (shared ones can be taken away)? Sets
    ``lost`` when that changes; scratch copies have no access to lose."""
    if notebook_id is None or notebook_id.startswith("scratch-"):
        return lambda: None

    async def on_lost() -> None:
        lost.set()

    return await services.access.watch(user, notebook_id, "editor", on_lost)
