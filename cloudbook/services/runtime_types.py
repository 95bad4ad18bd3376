"""Choosing a notebook's runtime type ("Change runtime type") and attaching by type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudbook.runtimes.runtime_types import RuntimeType, from_metadata, to_metadata
from cloudbook.services.errors import InvalidInput

if TYPE_CHECKING:
    from cloudbook.runtimes.manager import ManagedRuntime, OnNoGpu, Queued, RuntimeManager
    from cloudbook.services.access import Role
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookInfo, NotebookService

WriteThrough = Callable[[Callable[[], Awaitable["NotebookInfo"]]], Awaitable["NotebookInfo"]]


@dataclass(frozen=True)
class GpuTypeInfo:
    type: str
    free: int
    total: int


@dataclass(frozen=True)
class ChangedType:
    rtype: RuntimeType
    revision: int
    disconnected: bool


def offered(runtimes: RuntimeManager) -> list[GpuTypeInfo]:
    return [
        GpuTypeInfo(type=name, free=free, total=total)
        for name, (free, total) in sorted(runtimes.gpu_counts().items())
    ]


def validate(
    runtimes: RuntimeManager, accelerator: str, gpu_type: str | None, shape: str
) -> RuntimeType:
    if accelerator == "none":
        if gpu_type is not None:
            raise InvalidInput(
                "gpu_type must be null without a GPU accelerator.", code="invalid_runtime_type"
            )
        return RuntimeType("none", None, "highmem" if shape == "highmem" else "standard")
    if runtimes.places_gpus:  # the cluster's GPU profiles decide (a refusal says why)
        return RuntimeType("gpu", gpu_type, "highmem" if shape == "highmem" else "standard")
    if not runtimes.gpus.gpus:
        raise InvalidInput("This service has no GPUs.", code="no_gpus")
    if gpu_type is not None and gpu_type not in runtimes.gpus.types:
        offered_types = ", ".join(runtimes.gpus.types)
        raise InvalidInput(
            f"No {gpu_type} GPUs here; this service has: {offered_types}.",
            code="unknown_gpu_type",
        )
    return RuntimeType("gpu", gpu_type, "highmem" if shape == "highmem" else "standard")


async def current_type(
    notebooks: NotebookService, user: UserInfo, notebook_id: str, need: Role = "owner"
) -> tuple[RuntimeType, int]:
    info, content = await notebooks.get(user, notebook_id, need=need)
    return from_metadata(content.get("metadata")), info.revision


async def change_type(
    notebooks: NotebookService,
    runtimes: RuntimeManager,
    user: UserInfo,
    notebook_id: str,
    rtype: RuntimeType,
    write_through: WriteThrough | None = None,
) -> ChangedType:
    """Store ``rtype`` in the notebook (a new revision, as Colab writes it); a runtime of
    another type is disconnected, so the next run attaches the right kind. `write_through`
    runs the read-and-write (an open live document saves its edits first and takes the
    written metadata, instead of saving over it later)."""

    async def store() -> NotebookInfo:
        info, content = await notebooks.get(user, notebook_id, need="editor")
        found = content.get("metadata")
        metadata: dict[str, Any] = found if isinstance(found, dict) else {}
        if from_metadata(metadata) == rtype and to_metadata(metadata, rtype) == metadata:
            return info
        content = {**content, "metadata": to_metadata(metadata, rtype)}
        return await notebooks.save(user, notebook_id, content, info.revision)

    revision = (await (write_through(store) if write_through else store())).revision
    disconnected = False
    managed = await runtimes.session_of(user, notebook_id)
    if managed is not None and (managed.attached or not _fits(managed, rtype)):
        await runtimes.detach_notebook(user, notebook_id)
        disconnected = True
    elif runtimes.leave_queue(user, notebook_id):
        disconnected = True
    return ChangedType(rtype=rtype, revision=revision, disconnected=disconnected)


def _fits(managed: ManagedRuntime, rtype: RuntimeType) -> bool:
    if managed.rtype.shape != rtype.shape or managed.rtype.accelerator != rtype.accelerator:
        return False
    return (
        rtype.gpu_type is None
        or (managed.gpu is not None and managed.gpu.name == rtype.gpu_type)
        or managed.rtype.gpu_type == rtype.gpu_type  # placed by the cluster (jupyterhub)
    )


async def attach_by_type(
    notebooks: NotebookService,
    runtimes: RuntimeManager,
    user: UserInfo,
    notebook_id: str,
    on_no_gpu: OnNoGpu,
) -> ManagedRuntime | Queued:
    current = await runtimes.session_of(user, notebook_id)
    if current is not None:
        return current
    rtype, _ = await current_type(notebooks, user, notebook_id, need="editor")
    if rtype.accelerator == "gpu" and rtype.gpu_type is not None and not runtimes.places_gpus:
        if rtype.gpu_type not in runtimes.gpus.types:
            rtype = RuntimeType("gpu", None, rtype.shape)  # a Colab "T4" here: any model
    return await runtimes.attach(user, notebook_id, rtype, on_no_gpu)
