"""A small async client of a runtime's Jupyter server REST API.

One ``httpx.AsyncClient`` is shared per event loop (connection reuse to every
runtime); ``JupyterServerClient`` objects are cheap views binding it to one
runtime's URL and token, so callers may create one per request. Call
:func:`close_shared_client` at shutdown so pooled connections close cleanly.

The token travels only in the ``Authorization`` header, never in a URL, and
every error message is scrubbed of it before it is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import quote

import httpx

from cloudbook.runtimes.connect import http_client, http_url, ws_connect
from cloudbook.runtimes.kernel_client import new_message
from cloudbook.runtimes.provider import Runtime

_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def shared_http_client() -> httpx.AsyncClient:
    """The process-wide client for the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    client = _shared.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, connect=10.0),
            # Runtimes are reached directly; proxies from the environment must not apply.
            trust_env=False,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        # No cookies: Jupyter's login cookie is per host, not per port, so a kept one
        # would authenticate us to every other server on that host, whatever the token.
        client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        _shared[loop] = client
    return client


async def close_shared_client() -> None:
    """Close the running loop's shared clients (application shutdown, test teardown)."""
    from cloudbook.runtimes.connect import close_all

    client = _shared.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
    await close_all()


class JupyterApiError(RuntimeError):
    """A runtime's Jupyter server refused or failed a request. The message carries no token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KernelNotFound(JupyterApiError):
    """The kernel does not exist (any more) on that server."""


class KernelNotReady(JupyterApiError, TimeoutError):
    """The kernel did not answer ``kernel_info_request`` in time."""


@dataclass(frozen=True)
class KernelModel:
    id: str
    name: str
    execution_state: str
    connections: int
    last_activity: datetime | None


@dataclass(frozen=True)
class ServerStatus:
    started: datetime | None
    last_activity: datetime | None
    connections: int
    kernels: int


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _kernel_model(data: Any) -> KernelModel:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise JupyterApiError("The Jupyter server sent a malformed kernel model.")
    return KernelModel(
        id=data["id"],
        name=str(data.get("name", "")),
        execution_state=str(data.get("execution_state", "unknown")),
        connections=int(data.get("connections", 0) or 0),
        last_activity=_parse_time(data.get("last_activity")),
    )


class JupyterServerClient:
    """REST calls against one runtime's Jupyter server."""

    def __init__(self, runtime: Runtime, *, timeout: float = 30.0) -> None:
        self.runtime = runtime
        self.timeout = timeout

    # --- plumbing ---------------------------------------------------------------

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.runtime.token}"}

    def _redact(self, text: str) -> str:
        token = self.runtime.token
        return text.replace(token, "[token]") if token else text

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        url = http_url(self.runtime, path)
        try:
            response = await http_client(self.runtime).request(
                method,
                url,
                json=json_body,
                headers=self._headers,
                timeout=timeout or self.timeout,
            )
        except httpx.HTTPError as exc:
            detail = self._redact(str(exc)) or type(exc).__name__
            raise JupyterApiError(f"{method} {path}: {detail}") from None
        if response.status_code >= 400:
            raise self._error(method, path, response)
        return response

    def _error(self, method: str, path: str, response: httpx.Response) -> JupyterApiError:
        message = ""
        with contextlib.suppress(ValueError, AttributeError):
            body = response.json()
            message = str(body.get("message") or body.get("reason") or "")
        text = f"{method} {path}: HTTP {response.status_code}"
        if message:
            text += f": {self._redact(message)[:300]}"
        if response.status_code == 404 and path.startswith("/api/kernels/"):
            return KernelNotFound(text, response.status_code)
        return JupyterApiError(text, response.status_code)

    @staticmethod
    def _kernel_path(kernel_id: str) -> str:
        return f"/api/kernels/{quote(kernel_id, safe='')}"

    async def get_json(self, path: str) -> Any:
        """GET any JSON endpoint of the server (``path`` starts with ``/``)."""
        response = await self._request("GET", path)
        try:
            return response.json()
        except ValueError:
            raise JupyterApiError(f"GET {path}: the answer is not JSON") from None

    # --- kernels ----------------------------------------------------------------

    async def start_kernel(self, name: str = "python3") -> str:
        response = await self._request("POST", "/api/kernels", json_body={"name": name})
        return _kernel_model(response.json()).id

    async def kernel_status(self, kernel_id: str) -> KernelModel:
        return _kernel_model(await self.get_json(self._kernel_path(kernel_id)))

    async def list_kernels(self) -> list[KernelModel]:
        data = await self.get_json("/api/kernels")
        if not isinstance(data, list):
            raise JupyterApiError("GET /api/kernels: expected a list")
        return [_kernel_model(item) for item in data]

    async def interrupt_kernel(self, kernel_id: str) -> None:
        await self._request("POST", self._kernel_path(kernel_id) + "/interrupt")

    async def restart_kernel(self, kernel_id: str, *, timeout: float = 90.0) -> KernelModel:
        """Restart the kernel; return once the new kernel process is up."""
        path = self._kernel_path(kernel_id) + "/restart"
        # Right after a crash the server's auto-restarter is already starting a new process
        # and a manual restart fails with a 500 for that moment: try again for a while.
        busy_until = time.monotonic() + 15.0
        while True:
            try:
                response = await self._request("POST", path, timeout=timeout)
            except JupyterApiError as exc:
                if exc.status != 500 or time.monotonic() > busy_until:
                    raise
                await asyncio.sleep(0.25)
                continue
            return _kernel_model(response.json())

    async def delete_kernel(self, kernel_id: str, *, missing_ok: bool = True) -> None:
        try:
            await self._request("DELETE", self._kernel_path(kernel_id), timeout=60.0)
        except KernelNotFound:
            if not missing_ok:
                raise

    async def status(self) -> ServerStatus:
        data = await self.get_json("/api/status")
        if not isinstance(data, dict):
            raise JupyterApiError("GET /api/status: expected an object")
        return ServerStatus(
            started=_parse_time(data.get("started")),
            last_activity=_parse_time(data.get("last_activity")),
            connections=int(data.get("connections", 0) or 0),
            kernels=int(data.get("kernels", 0) or 0),
        )

    # --- contents ---------------------------------------------------------------

    @staticmethod
    def _contents_path(path: str) -> str:
        """``path`` is relative to the server's root, already checked by the caller."""
        return "/api/contents/" + quote(path.strip("/"), safe="/")

    async def contents(self, path: str, *, content: bool = True) -> dict[str, Any]:
        """The contents model of a file or directory (a directory's entries carry no content)."""
        suffix = "" if content else "?content=0"
        data = await self.get_json(self._contents_path(path) + suffix)
        if not isinstance(data, dict):
            raise JupyterApiError("GET /api/contents: expected an object")
        return data

    async def save_contents(self, path: str, model: dict[str, Any]) -> dict[str, Any]:
        """PUT a model: a directory, or file content (``chunk`` for chunked uploads)."""
        response = await self._request(
            "PUT", self._contents_path(path), json_body=model, timeout=120.0
        )
        data = response.json()
        if not isinstance(data, dict):
            raise JupyterApiError("PUT /api/contents: expected an object")
        return data

    async def rename_contents(self, path: str, new_path: str) -> dict[str, Any]:
        body = {"path": new_path.strip("/")}
        response = await self._request("PATCH", self._contents_path(path), json_body=body)
        data = response.json()
        if not isinstance(data, dict):
            raise JupyterApiError("PATCH /api/contents: expected an object")
        return data

    async def delete_contents(self, path: str) -> None:
        await self._request("DELETE", self._contents_path(path), timeout=120.0)

    async def open_file_stream(self, path: str) -> httpx.Response:
        """Start reading a file's raw bytes (``/files/``, served in chunks by the server).

        The caller must ``aclose()`` the response; nothing is read into memory here.
        """
        url = http_url(self.runtime, "/files/" + quote(path.strip("/"), safe="/"))
        client = http_client(self.runtime)
        # identity: the bytes are passed on raw, so they must not arrive compressed.
        headers = {**self._headers, "Accept-Encoding": "identity"}
        request = client.build_request("GET", url, headers=headers)
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            detail = self._redact(str(exc)) or type(exc).__name__
            raise JupyterApiError(f"GET /files: {detail}") from None
        if response.status_code >= 400:
            await response.aclose()
            raise JupyterApiError(f"GET /files: HTTP {response.status_code}", response.status_code)
        return response

    # --- readiness --------------------------------------------------------------

    async def wait_kernel_ready(self, kernel_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Return the kernel's ``kernel_info_reply`` content once it answers on its channels.

        A started kernel process is not yet a usable one: this opens the same
        WebSocket a browser would and asks ``kernel_info`` (re-asking every
        second) until the kernel answers, so a warm runtime is really warm.
        """
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelNotReady(
                    f"kernel {kernel_id} was not ready after {timeout:g} s ({last_error})"
                )
            try:
                return await asyncio.wait_for(self._ask_kernel_info(kernel_id), remaining)
            except KernelNotFound:
                raise
            except TimeoutError:
                last_error = "timed out"
            except (OSError, JupyterApiError) as exc:
                last_error = self._redact(str(exc)) or type(exc).__name__
                await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    async def _ask_kernel_info(self, kernel_id: str) -> dict[str, Any]:
        from websockets.exceptions import InvalidHandshake, InvalidStatus, WebSocketException

        session = uuid.uuid4().hex
        path = f"{self._kernel_path(kernel_id)}/channels?session_id={session}"
        try:
            async with await ws_connect(
                self.runtime,
                path,
                additional_headers=self._headers,
                max_size=None,
                ping_interval=None,
                compression=None,
                open_timeout=self.timeout,
                close_timeout=2,
            ) as ws:
                asked: set[str] = set()
                while True:
                    request = new_message("kernel_info_request", {}, session, "shell")
                    asked.add(request["header"]["msg_id"])
                    await ws.send(json.dumps(request))
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            while True:
                                reply = _match_reply(await ws.recv(), asked)
                                if reply is not None:
                                    return reply
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 404:
                raise KernelNotFound(f"kernel {kernel_id} not found", 404) from None
            raise JupyterApiError(f"kernel channels: HTTP {status}", status) from None
        except (InvalidHandshake, WebSocketException) as exc:
            raise JupyterApiError(f"kernel channels: {type(exc).__name__}") from None


def _match_reply(raw: str | bytes, asked: set[str]) -> dict[str, Any] | None:
    if not isinstance(raw, str):
        return None  # binary frames carry buffers; a kernel_info_reply never does
    try:
        msg = json.loads(raw)
    except ValueError:
        return None
    if (
        isinstance(msg, dict)
        and msg.get("channel") == "shell"
        and msg.get("header", {}).get("msg_type") == "kernel_info_reply"
        and msg.get("parent_header", {}).get("msg_id") in asked
    ):
        content = msg.get("content")
        return content if isinstance(content, dict) else {}
    return None
