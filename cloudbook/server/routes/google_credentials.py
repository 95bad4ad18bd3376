"""The user's Google credentials (docs/bigquery.md); logic in GoogleCredentialService.

The credential travels only in the PUT body and in the answer to a kernel's
``request_auth`` (for the user viewing that notebook: their own, never the owner's);
no route returns its secret parts otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep
from cloudbook.services.google_credentials import MAX_BYTES, CredentialInfo

router = APIRouter(tags=["google credentials"])
NO_STORE = {"Cache-Control": "no-store"}


class GoogleCredentialOut(BaseModel):
    stored: bool
    type: str | None = Field(default=None, description="service_account or authorized_user")
    principal: str | None = Field(
        default=None, description="The service account's e-mail, or the OAuth client id."
    )
    project_id: str | None = None
    updated_at: datetime | None = None


class PutGoogleCredential(BaseModel):
    credentials_json: str = Field(
        max_length=MAX_BYTES,
        description="A service-account key file, or an authorized_user file (OAuth client "
        "id, secret and refresh token), as JSON text.",
    )


class KernelCredential(BaseModel):
    """The page's answer to ``request_auth`` (docs/colab-protocol.md)."""

    exists: bool
    credentials: dict[str, Any] | None = None


def _out(info: CredentialInfo | None) -> GoogleCredentialOut:
    if info is None:
        return GoogleCredentialOut(stored=False)
    return GoogleCredentialOut(stored=True, **info.__dict__)


@router.get("/api/me/credentials/google", response_model=GoogleCredentialOut)
async def get_credentials(user: CurrentUser, s: ServicesDep) -> GoogleCredentialOut:
    return _out(await s.google_credentials.info(user))


@router.put("/api/me/credentials/google", response_model=GoogleCredentialOut)
async def put_credentials(
    body: PutGoogleCredential, user: CurrentUser, s: ServicesDep
) -> GoogleCredentialOut:
    return _out(await s.google_credentials.put(user, body.credentials_json))


@router.delete("/api/me/credentials/google", status_code=204)
async def delete_credentials(user: CurrentUser, s: ServicesDep) -> Response:
    await s.google_credentials.delete(user)
    return Response(status_code=204)


@router.post(
    "/api/notebooks/{notebook_id}/credentials/google",
    response_model=KernelCredential,
    response_model_exclude_none=True,
)
async def credentials_for_kernel(
    notebook_id: str, user: CurrentUser, s: ServicesDep, response: Response
) -> KernelCredential:
    await s.notebooks.get_info(user, notebook_id)  # 404 unless the caller may open it
    data = await s.google_credentials.read_for_kernel(user)
    response.headers.update(NO_STORE)
    if data is None:
        return KernelCredential(exists=False)
    return KernelCredential(exists=True, credentials=data)
