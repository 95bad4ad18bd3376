"""Runtime types: what this service offers, and each notebook's choice (as Colab stores it)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

router = APIRouter(tags=["runtimes"])


class GpuTypeOut(BaseModel):
    type: str
    free: int
    total: int


class RuntimeTypesOut(BaseModel):
    accelerators: list[Literal["none", "gpu"]]
    gpus: list[GpuTypeOut]
    shapes: list[Literal["standard", "highmem"]]


class RuntimeTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accelerator: Literal["none", "gpu"]
    gpu_type: str | None = Field(default=None, max_length=64)
    shape: Literal["standard", "highmem"] = "standard"


class RuntimeTypeOut(BaseModel):
    accelerator: Literal["none", "gpu"]
    gpu_type: str | None
    shape: Literal["standard", "highmem"]
    revision: int
    # True when the notebook's runtime was of another kind and was disconnected.
    disconnected: bool = False


@router.get("/api/runtime-types", response_model=RuntimeTypesOut)
async def runtime_types(user: CurrentUser, s: ServicesDep) -> RuntimeTypesOut:
    from cloudbook.services.runtime_types import offered

    gpus = offered(s.runtimes)
    return RuntimeTypesOut(
        accelerators=["none", "gpu"] if gpus else ["none"],
        gpus=[GpuTypeOut(type=g.type, free=g.free, total=g.total) for g in gpus],
        shapes=["standard", "highmem"],
    )


@router.get("/api/notebooks/{notebook_id}/runtime-type", response_model=RuntimeTypeOut)
async def get_runtime_type(notebook_id: str, user: CurrentUser, s: ServicesDep) -> RuntimeTypeOut:
    from cloudbook.server.live_io import flush_live
    from cloudbook.services.runtime_types import current_type

    await flush_live(s, user, notebook_id)  # the revision the page's dialog writes on
    rtype, revision = await current_type(s.notebooks, user, notebook_id, need="viewer")
    return RuntimeTypeOut(
        accelerator=rtype.accelerator, gpu_type=rtype.gpu_type, shape=rtype.shape, revision=revision
    )


@router.patch("/api/notebooks/{notebook_id}/runtime-type", response_model=RuntimeTypeOut)
async def set_runtime_type(
    notebook_id: str, body: RuntimeTypeIn, user: CurrentUser, s: ServicesDep
) -> RuntimeTypeOut:
    """Store the type in the notebook's metadata (a new revision); a runtime of another
    kind is disconnected so the next run attaches the right one."""
    from cloudbook.server.live_io import write_through_live
    from cloudbook.services.runtime_types import change_type, validate

    await s.notebooks.get_info(user, notebook_id, "editor")  # 404/403 before validation
    rtype = validate(s.runtimes, body.accelerator, body.gpu_type, body.shape)
    changed = await change_type(
        s.notebooks,
        s.runtimes,
        user,
        notebook_id,
        rtype,
        lambda write: write_through_live(s, user, notebook_id, write),
    )
    return RuntimeTypeOut(
        accelerator=changed.rtype.accelerator,
        gpu_type=changed.rtype.gpu_type,
        shape=changed.rtype.shape,
        revision=changed.revision,
        disconnected=changed.disconnected,
    )
