"""Runtime images: what runtimes run on now, the background build's progress (every
user: the page shows it), its log and a rebuild (administrators)."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from cloudbook.server.deps import CurrentUser, ServicesDep
from cloudbook.server.routes.admin import AdminUser
from cloudbook.services.errors import Conflict, NotFound

router = APIRouter(tags=["images"])
# Index URLs may carry credentials (https://user:token@host/simple): never shown.
_URL_CREDENTIALS = re.compile(r"(\w+://)[^/\s@]+@")


def redact(text: str) -> str:
    return _URL_CREDENTIALS.sub(r"\1***@", text)


class BuildOut(BaseModel):
    name: str
    state: Literal["building", "failed", "ready"]
    phase: str
    done: int
    total: int
    bytes: int
    eta_s: float | None
    error: str | None  # administrators only


class ImagesOut(BaseModel):
    active: str
    preferred: str
    build: BuildOut | None


@router.get("/api/images", response_model=ImagesOut)
async def images_status(user: CurrentUser, s: ServicesDep) -> ImagesOut:
    info = s.images.describe()
    raw = info["build"]
    build = None
    if raw is not None:
        error = raw.get("error")
        build = BuildOut(
            name=str(raw["name"]),
            state=raw["state"],
            phase=str(raw["phase"]),
            done=int(raw["done"]),
            total=int(raw["total"]),
            bytes=int(raw["bytes"]),
            eta_s=raw.get("eta_s"),
            error=redact(str(error)) if error and user.is_admin else None,
        )
    return ImagesOut(active=info["active"], preferred=info["preferred"], build=build)


@router.get("/api/admin/images/{name}/log", response_class=PlainTextResponse)
async def image_log(name: str, admin: AdminUser, s: ServicesDep) -> PlainTextResponse:
    from cloudbook.images.manifest import NAME

    if not NAME.fullmatch(name):
        raise NotFound("No such image.", code="image_not_found")
    text = s.images.log_tail(name)
    if not text and s.images.store.read_status(name) is None:
        raise NotFound("No such image.", code="image_not_found")
    return PlainTextResponse(redact(text))


@router.post("/api/admin/images/{name}/build", status_code=202, response_model=ImagesOut)
async def image_build(name: str, admin: AdminUser, s: ServicesDep) -> ImagesOut:
    from cloudbook.images.manifest import NAME, ManifestError

    if not NAME.fullmatch(name):
        raise NotFound("No such image.", code="image_not_found")
    try:
        started = s.images.build_in_background(name)
    except ManifestError:
        raise NotFound("No such image.", code="image_not_found") from None
    if not started:
        raise Conflict("An image build is running already.", code="image_build_running")
    return await images_status(admin, s)
