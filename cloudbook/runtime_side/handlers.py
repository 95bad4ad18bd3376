"""Handlers and patches installed into the runtime's Jupyter server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado import web

from cloudbook.runtime_side.resources import resources

RESOURCES_PATH = "/api/cloudbook/resources"
PORTS_PATH = "/api/cloudbook/ports"


class ResourcesHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        root = self.settings.get("server_root_dir") or "/content"
        # NVML and /proc reads block for a few ms (NVML init far longer): off the event loop.
        figures = await asyncio.to_thread(resources, root)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(figures))


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (this server, its kernels, what they started)."""
    import os

    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def own_listening_ports() -> list[int]:
    import os

    from cloudbook.runtimes.ports import listening_ports

    return sorted(listening_ports(_descendants(os.getpid())))


class PortsHandler(APIHandler):
    """The TCP ports this runtime's own processes listen on: the service's port proxy asks
    it when the runtime is not a process of its machine (a JupyterHub server)."""

    @web.authenticated
    async def get(self) -> None:
        ports = await asyncio.to_thread(own_listening_ports)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"ports": ports}))


def _patch_nodelay() -> None:
    """TCP_NODELAY on every kernel WebSocket as it opens.

    Tornado leaves Nagle's algorithm on for WebSockets: each small reply then waits
    for the peer's delayed ACK (~40 ms per execute round trip instead of ~7 ms).
    Patching the class (rather than registering a subclass) keeps every route that
    jupyter_server maps to it, whatever its URL pattern.
    """
    handler: Any = KernelWebsocketHandler
    if getattr(handler, "_cloudbook_nodelay", False):
        return
    original = handler.open

    async def open_with_nodelay(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)
        return await original(self, *args, **kwargs)

    handler.open = open_with_nodelay
    handler._cloudbook_nodelay = True


def widen_kernel_sockets(serverapp: Any) -> int:
    """Let the server hold thousands of kernel WebSockets (docs/performance.md).

    Each WebSocket opens four ZeroMQ sockets to its kernel, and libzmq caps a context at
    1023 sockets: past ~250 WebSockets jupyter_server failed to open channels ("Too many
    open files", from ZeroMQ, not the OS). The cap is raised with the open-files limit
    (the sockets' descriptors; the kernels inherit it). It must be set before the
    context's first socket, which is why this runs at extension load.
    """
    import zmq

    from cloudbook.open_files import raise_open_files_limit

    files = raise_open_files_limit()
    context = serverapp.kernel_manager.context
    limit = max(1023, min(int(context.get(zmq.SOCKET_LIMIT)), int(files)))
    context.set(zmq.MAX_SOCKETS, limit)
    return limit


def install(serverapp: Any) -> None:
    _patch_nodelay()
    widen_kernel_sockets(serverapp)
    base = serverapp.web_app.settings["base_url"].rstrip("/")
    from cloudbook.runtime_side.port_forward import handlers

    serverapp.web_app.add_handlers(
        ".*$",
        [
            (f"{base}{RESOURCES_PATH}", ResourcesHandler),
            (f"{base}{PORTS_PATH}", PortsHandler),
            *handlers(base),
        ],
    )
