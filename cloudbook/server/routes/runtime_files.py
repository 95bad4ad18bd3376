"""The files panel's routes: a runtime's /content through its Jupyter contents API.

Only the runtime's owner may use them (others get 404); the logic is in
``cloudbook.services.runtime_files``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.runtime_files import FileEntry, RuntimeFiles

router = APIRouter(prefix="/api/runtimes/{runtime_id}/files", tags=["runtime files"])

PathQuery = Annotated[str, Query(max_length=4096, description="/content/... or relative to it")]


class FileOut(BaseModel):
    name: str
    path: str
    type: Literal["file", "directory"]
    size: int | None
    modified: datetime | None


class DirectoryOut(BaseModel):
    path: str
    entries: list[FileOut]


class NewDirectory(BaseModel):
    path: str = Field(max_length=4096)


class RenameFile(BaseModel):
    new_path: str = Field(max_length=4096)


def _out(entry: FileEntry) -> FileOut:
    return FileOut(**entry.__dict__)


async def _files(s: Services, user: UserInfo, runtime_id: str) -> RuntimeFiles:
    from cloudbook.server.routes.runtimes import reachable_runtime
    from cloudbook.services.runtime_files import RuntimeFiles

    return RuntimeFiles((await reachable_runtime(s, user, runtime_id)).runtime)


@router.get("", response_model=DirectoryOut)
async def list_directory(
    runtime_id: str, user: CurrentUser, s: ServicesDep, path: PathQuery = "/content"
) -> DirectoryOut:
    shown, entries = await (await _files(s, user, runtime_id)).list(path)
    return DirectoryOut(path=shown, entries=[_out(e) for e in entries])


@router.get(
    "/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_file(
    runtime_id: str, user: CurrentUser, s: ServicesDep, path: PathQuery
) -> StreamingResponse:
    entry, upstream = await (await _files(s, user, runtime_id)).open_download(path)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(entry.name, safe='')}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    length = upstream.headers.get("content-length")
    if length is not None:
        headers["Content-Length"] = length

    async def body() -> AsyncIterator[bytes]:
        try:
            async for block in upstream.aiter_raw():
                yield block
        finally:  # also when the browser goes away mid-download
            await upstream.aclose()

    return StreamingResponse(body(), media_type="application/octet-stream", headers=headers)


@router.put(
    "/content",
    response_model=FileOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def upload_file(
    runtime_id: str,
    request: Request,
    user: CurrentUser,
    s: ServicesDep,
    path: PathQuery,
    chunk: Annotated[int | None, Query(description="1, 2, … then -1 for the last")] = None,
) -> FileOut:
    """The raw bytes of a file, or of one chunk of it (as Jupyter's chunked uploads)."""
    files = await _files(s, user, runtime_id)
    return _out(await files.upload(path, await request.body(), chunk))


@router.post("/directories", status_code=201, response_model=FileOut)
async def make_directory(
    runtime_id: str, body: NewDirectory, user: CurrentUser, s: ServicesDep
) -> FileOut:
    return _out(await (await _files(s, user, runtime_id)).mkdir(body.path))


@router.patch("", response_model=FileOut)
async def rename_file(
    runtime_id: str, body: RenameFile, user: CurrentUser, s: ServicesDep, path: PathQuery
) -> FileOut:
    return _out(await (await _files(s, user, runtime_id)).rename(path, body.new_path))


@router.delete("", status_code=204)
async def delete_file(
    runtime_id: str, user: CurrentUser, s: ServicesDep, path: PathQuery
) -> Response:
    await (await _files(s, user, runtime_id)).delete(path)
    return Response(status_code=204)
