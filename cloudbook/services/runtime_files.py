"""Files of a runtime (``/content``), through its Jupyter server's contents API.

Paths are given as users see them (``/content/x/y`` or relative to ``/content``),
checked here (never leaving ``/content``), and sent to Jupyter relative to its
root, which is ``/content``. Error messages are written here: Jupyter's own may
name host paths of an unsandboxed runtime.
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from cloudbook.services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

if TYPE_CHECKING:
    import httpx

    from cloudbook.runtimes.jupyter_api import JupyterServerClient
    from cloudbook.runtimes.provider import Runtime

ROOT = "/content"
MAX_PATH = 4096
# One upload request carries at most this many bytes (the browser sends 4 MiB chunks).
MAX_CHUNK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    name: str
    path: str  # absolute, starting with /content
    type: str  # "file" | "directory"
    size: int | None
    modified: datetime | None


def content_path(raw: str) -> str:
    """The path relative to /content ("" for /content itself); refuses anything else."""
    if len(raw) > MAX_PATH or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise InvalidInput("The path has control characters or is too long.", code="invalid_path")
    path = raw.strip()
    if path.startswith("/"):
        if path != ROOT and not path.startswith(ROOT + "/"):
            raise InvalidInput(f"Only files under {ROOT} can be used.", code="invalid_path")
        path = path[len(ROOT) :]
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"Paths cannot leave {ROOT} ('..').", code="invalid_path")
    return "/".join(parts)


def shown(rel: str) -> str:
    return f"{ROOT}/{rel}" if rel else ROOT


def _entry(model: dict[str, Any]) -> FileEntry:
    rel = str(model.get("path", "")).strip("/")
    kind = "directory" if model.get("type") == "directory" else "file"
    size = model.get("size")
    modified = model.get("last_modified")
    when: datetime | None = None
    if isinstance(modified, str):
        try:
            when = datetime.fromisoformat(modified.replace("Z", "+00:00"))
        except ValueError:
            when = None
    return FileEntry(
        name=str(model.get("name") or posixpath.basename(rel)),
        path=shown(rel),
        type=kind,
        size=int(size) if isinstance(size, int) and kind == "file" else None,
        modified=when,
    )


def _fail(exc: Exception, rel: str, action: str) -> NoReturn:
    from cloudbook.runtimes.jupyter_api import JupyterApiError

    if not isinstance(exc, JupyterApiError):
        raise exc
    where = shown(rel)
    if exc.status == 404:
        raise NotFound(f"{where} does not exist.", code="no_such_file") from None
    if exc.status == 409:
        raise Conflict(f"{where} already exists.", code="file_exists") from None
    if exc.status == 403:
        raise Forbidden(f"Not allowed to {action} {where}.", code="file_forbidden") from None
    if exc.status == 400:
        raise InvalidInput(f"Could not {action} {where}.", code="file_refused") from None
    if exc.status == 500:
        # Jupyter answers 500 when the file system changes under it (a folder swapped for a
        # link mid-listing, a file deleted between its checks): the runtime's files are the
        # user's own to change, so this is a conflict, not a failure of the service.
        raise Conflict(
            f"Could not {action} {where}: it changed meanwhile or cannot be read.",
            code="file_unavailable",
        ) from None
    raise ServiceError(
        f"The runtime could not {action} {where}.", code="runtime_error", status=502
    ) from None


class RuntimeFiles:
    """File operations on one runtime (ownership is checked by the caller)."""

    def __init__(self, runtime: Runtime) -> None:
        from cloudbook.runtimes.jupyter_api import JupyterServerClient

        self.client: JupyterServerClient = JupyterServerClient(runtime)

    async def _model(self, rel: str, action: str, *, content: bool = False) -> dict[str, Any]:
        try:
            return await self.client.contents(rel, content=content)
        except Exception as exc:
            _fail(exc, rel, action)

    async def _exists(self, rel: str) -> bool:
        try:
            await self.client.contents(rel, content=False)
        except Exception as exc:
            from cloudbook.runtimes.jupyter_api import JupyterApiError

            if isinstance(exc, JupyterApiError) and exc.status == 404:
                return False
            _fail(exc, rel, "read")
        return True

    async def list(self, raw: str) -> tuple[str, list[FileEntry]]:
        rel = content_path(raw)
        model = await self._model(rel, "list", content=True)
        if model.get("type") != "directory":
            raise InvalidInput(f"{shown(rel)} is not a folder.", code="not_a_directory")
        entries = [_entry(m) for m in model.get("content") or [] if isinstance(m, dict)]
        entries.sort(key=lambda e: (e.type != "directory", e.name.lower()))
        return shown(rel), entries

    async def stat(self, raw: str) -> FileEntry:
        rel = content_path(raw)
        return _entry(await self._model(rel, "read"))

    async def open_download(self, raw: str) -> tuple[FileEntry, httpx.Response]:
        """The file's entry and its streaming response (the caller closes it)."""
        rel = content_path(raw)
        entry = _entry(await self._model(rel, "download"))
        if entry.type != "file":
            raise InvalidInput(f"{entry.path} is a folder.", code="is_a_directory")
        try:
            return entry, await self.client.open_file_stream(rel)
        except Exception as exc:
            _fail(exc, rel, "download")

    async def upload(self, raw: str, data: bytes, chunk: int | None) -> FileEntry:
        """Write a file; ``chunk`` as Jupyter's contents API: 1 starts (replacing the
        file), 2, 3, … append, -1 appends the last piece; None writes it whole."""
        rel = content_path(raw)
        if not rel:
            raise InvalidInput("Give the file a name.", code="invalid_path")
        if len(data) > MAX_CHUNK_BYTES:
            raise InvalidInput(
                f"Send at most {MAX_CHUNK_BYTES} bytes per request (use chunks).",
                code="chunk_too_large",
            )
        if chunk is not None and (chunk == 0 or chunk < -1):
            raise InvalidInput("chunk is 1, 2, 3, … or -1 for the last.", code="invalid_chunk")
        parent = posixpath.dirname(rel)
        if chunk in (None, 1) and parent:
            parent_model = await self._model(parent, "upload into")
            if parent_model.get("type") != "directory":
                raise InvalidInput(f"{shown(parent)} is not a folder.", code="not_a_directory")
        if chunk not in (None, 1) and not await self._exists(rel):
            raise Conflict(
                f"Chunk {chunk} of {shown(rel)} came before chunk 1.", code="chunk_out_of_order"
            )
        model: dict[str, Any] = {
            "type": "file",
            "format": "base64",
            "content": base64.b64encode(data).decode("ascii"),
        }
        if chunk is not None:
            model["chunk"] = chunk
        try:
            saved = await self.client.save_contents(rel, model)
        except Exception as exc:
            _fail(exc, rel, "write")
        return _entry(saved)

    async def mkdir(self, raw: str) -> FileEntry:
        rel = content_path(raw)
        if not rel:
            raise InvalidInput("Give the folder a name.", code="invalid_path")
        if await self._exists(rel):
            raise Conflict(f"{shown(rel)} already exists.", code="file_exists")
        try:
            return _entry(await self.client.save_contents(rel, {"type": "directory"}))
        except Exception as exc:
            _fail(exc, rel, "create")

    async def rename(self, raw: str, raw_new: str) -> FileEntry:
        rel, new = content_path(raw), content_path(raw_new)
        if not rel or not new:
            raise InvalidInput(f"{ROOT} itself cannot be renamed.", code="invalid_path")
        if new == rel:
            return await self.stat(raw)
        if new.startswith(rel + "/"):
            raise InvalidInput("A folder cannot move into itself.", code="invalid_path")
        await self._model(rel, "rename")
        if await self._exists(new):
            raise Conflict(f"{shown(new)} already exists.", code="file_exists")
        try:
            return _entry(await self.client.rename_contents(rel, new))
        except Exception as exc:
            _fail(exc, rel, "rename")

    async def delete(self, raw: str) -> None:
        rel = content_path(raw)
        if not rel:
            raise InvalidInput(f"{ROOT} itself cannot be deleted.", code="invalid_path")
        await self._model(rel, "delete")
        try:
            await self.client.delete_contents(rel)
        except Exception as exc:
            _fail(exc, rel, "delete")
