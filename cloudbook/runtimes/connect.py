"""How the service reaches a runtime's Jupyter server: over its Unix socket when it has one
(local runtimes: no port of theirs is open on the host), else over its URL.

Use these two everywhere instead of building clients by hand:

- ``http_client(runtime)`` and ``http_url(runtime, path)`` for REST (shared clients,
  one per event loop and socket);
- ``ws_connect(runtime, path, **kwargs)`` for WebSockets (kernel channels, port proxy).

AF_UNIX paths are limited to 108 bytes; a longer socket path (deep data dirs, test
folders) is reached through ``/proc/self/fd/N/<name>`` with ``N`` an ``O_PATH``
descriptor of its folder, kept open while the runtime lives (``forget``).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from cloudbook.runtimes.provider import Runtime

MAX_SUN_PATH = 100
SOCKET_HOST = "http://localhost"  # what the Jupyter server sees as Host for socket requests

_dir_fds: dict[str, int] = {}
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def usable_socket_path(path: str) -> str:
    """``path`` itself, or a short ``/proc/self/fd`` alias when too long for AF_UNIX."""
    if len(path.encode()) < MAX_SUN_PATH:
        return path
    folder, name = os.path.split(path)
    fd = _dir_fds.get(folder)
    if fd is None:
        fd = os.open(folder, os.O_PATH | os.O_CLOEXEC)
        _dir_fds[folder] = fd
    return f"/proc/self/fd/{fd}/{name}"


def _limits() -> httpx.Limits:
    return httpx.Limits(max_connections=200, max_keepalive_connections=50)


def http_client(runtime: Runtime) -> httpx.AsyncClient:
    """The shared client for this runtime's server (the loop's shared one for URLs)."""
    from cloudbook.runtimes.jupyter_api import shared_http_client

    if not runtime.socket_path:
        return shared_http_client()
    loop = asyncio.get_running_loop()
    clients = _clients.setdefault(loop, {})
    client = clients.get(runtime.socket_path)
    if client is None or client.is_closed:
        transport = httpx.AsyncHTTPTransport(
            uds=usable_socket_path(runtime.socket_path), limits=_limits()
        )
        client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(30.0, connect=10.0),
            trust_env=False,
            # Every request carries the token: a login cookie kept by a shared client would
            # authenticate requests that carry none.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )
        clients[runtime.socket_path] = client
    return client


def http_url(runtime: Runtime, path: str) -> str:
    """The URL of ``path`` (starting with ``/``) on the runtime's server."""
    return (SOCKET_HOST if runtime.socket_path else runtime.url) + path


async def ws_connect(runtime: Runtime, path: str, **kwargs: Any) -> ClientConnection:
    """Open a WebSocket to ``path`` (with its query) on the runtime's server."""
    from websockets.asyncio.client import connect, unix_connect

    if runtime.socket_path:
        uri = "ws://localhost" + path
        return await unix_connect(usable_socket_path(runtime.socket_path), uri, **kwargs)
    return await connect(runtime.ws_url + path, **kwargs)


async def forget(runtime: Runtime) -> None:
    """Close the running loop's client of a stopped runtime and its folder descriptor."""
    if not runtime.socket_path:
        return
    with _suppress():
        clients = _clients.get(asyncio.get_running_loop(), {})
        client = clients.pop(runtime.socket_path, None)
        if client is not None:
            await client.aclose()
    fd = _dir_fds.pop(os.path.dirname(runtime.socket_path), None)
    if fd is not None:
        os.close(fd)


async def close_all() -> None:
    """Close every socket client of the running loop (shutdown)."""
    clients = _clients.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.aclose()


def _suppress() -> Any:
    import contextlib

    return contextlib.suppress(RuntimeError, OSError)
