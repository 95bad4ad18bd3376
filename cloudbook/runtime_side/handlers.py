"""Handlers and patches installed into the runtime's Jupyter server."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado import web

from cloudbook.runtime_side.resources import resources


class ResourcesHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        root = self.settings.get("server_root_dir") or "/content"
        self.finish(json.dumps(resources(root)))


def _patch_nodelay() -> None:
    handler: Any = KernelWebsocketHandler
    if getattr(handler, "_cloudbook_nodelay", False):
        return
    original = handler.open

    async def open_with_nodelay(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)
        return await original(self, *args, **kwargs)

    handler.open = open_with_nodelay
    handler._cloudbook_nodelay = True


def install(serverapp: Any) -> None:
    _patch_nodelay()
    base = serverapp.web_app.settings["base_url"].rstrip("/")
    serverapp.web_app.add_handlers(".*$", [(f"{base}/api/cloudbook/resources", ResourcesHandler)])
