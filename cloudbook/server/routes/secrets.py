"""The Secrets panel and the page's answer to a kernel's GetSecret; logic in SecretService.

Values travel only in request bodies (PUT) and in the notebook read; they never
appear in a path or query string (which proxies and access logs keep).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

if TYPE_CHECKING:
    from cloudbook.services.secrets import SecretInfo

router = APIRouter(tags=["secrets"])
NO_STORE = {"Cache-Control": "no-store"}


class SecretOut(BaseModel):
    name: str
    created_at: datetime
    updated_at: datetime
    access: bool | None = Field(
        default=None, description="Whether the notebook asked about may read it."
    )


class SecretList(BaseModel):
    secrets: list[SecretOut]


class PutSecret(BaseModel):
    value: str = Field(max_length=65536)


class SecretAccess(BaseModel):
    granted: bool


class SecretValue(BaseModel):
    """The GetSecret reply of docs/colab-protocol.md."""

    exists: bool
    access: bool | None = None
    payload: str | None = None


def _out(info: SecretInfo) -> SecretOut:
    return SecretOut(**info.__dict__)


@router.get("/api/secrets", response_model=SecretList)
async def list_secrets(
    user: CurrentUser, s: ServicesDep, notebook_id: str | None = None
) -> SecretList:
    if notebook_id is not None:  # the caller's own secrets, for a notebook they run
        await s.notebooks.get_info(user, notebook_id, "editor")
    return SecretList(secrets=[_out(i) for i in await s.secrets.list_for(user, notebook_id)])


@router.put("/api/secrets/{name}", response_model=SecretOut)
async def put_secret(name: str, body: PutSecret, user: CurrentUser, s: ServicesDep) -> SecretOut:
    return _out(await s.secrets.put(user, name, body.value))


@router.delete("/api/secrets/{name}", status_code=204)
async def delete_secret(name: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.secrets.delete(user, name)
    return Response(status_code=204)


@router.put("/api/notebooks/{notebook_id}/secrets/{name}/access", status_code=204)
async def set_access(
    notebook_id: str, name: str, body: SecretAccess, user: CurrentUser, s: ServicesDep
) -> Response:
    await s.notebooks.get_info(user, notebook_id, "editor")  # 404/403 unless they run it
    await s.secrets.set_access(user, name, notebook_id, body.granted)
    return Response(status_code=204)


@router.get(
    "/api/notebooks/{notebook_id}/secrets/{name}",
    response_model=SecretValue,
    response_model_exclude_none=True,
)
async def read_secret(
    notebook_id: str, name: str, user: CurrentUser, s: ServicesDep, response: Response
) -> SecretValue:
    await s.notebooks.get_info(user, notebook_id, "editor")
    read = await s.secrets.read_for_notebook(user, name, notebook_id)
    response.headers.update(NO_STORE)
    if not read.exists:
        return SecretValue(exists=False)
    return SecretValue(exists=True, access=read.access, payload=read.payload)
