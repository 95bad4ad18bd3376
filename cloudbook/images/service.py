"""The service's side of images: which one new runtimes get, and the background build.

At start the service uses the configured image (``CLOUDBOOK_RUNTIME_IMAGE``, default
``colab``) when a complete version of it exists, else the ``minimal`` image, else the
service's own environment. With ``CLOUDBOOK_IMAGE_AUTOBUILD`` on, an image whose
manifest changed (or that was never built) is built in a thread while the service
serves; when it completes, new runtimes use it and the warm pool is refilled from it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cloudbook.images import manifest as manifests
from cloudbook.images.build import Build, BuildFailed
from cloudbook.images.store import Image, ImageStore, service_image

log = logging.getLogger("cloudbook.images")
Switched = Callable[[Image], Awaitable[None]]
LOG_TAIL_BYTES = 64 * 1024


def active_image(store: ImageStore, preferred: str) -> Image:
    """What a runtime started now runs: the preferred image, the minimal one, or the
    service's own environment."""
    for name in dict.fromkeys([preferred, "minimal"]):
        image = store.current(name)
        if image is not None:
            return image
    return service_image()


class ImageService:
    def __init__(
        self,
        store: ImageStore,
        preferred: str,
        manifest_dir: Path | None = None,
        autobuild: bool = True,
    ) -> None:
        self.store = store
        self.preferred = manifests.check_name(preferred)
        self.manifest_dir = manifest_dir
        self.autobuild = autobuild
        self.active = active_image(store, preferred)
        self._build: Build | None = None
        self._task: asyncio.Task[None] | None = None
        self._on_switch: list[Switched] = []

    def on_switch(self, callback: Switched) -> None:
        self._on_switch.append(callback)

    @property
    def python(self) -> str:
        return self.active.python

    def needs_build(self) -> bool:
        try:
            wanted = manifests.load(self.preferred, self.manifest_dir)
        except manifests.ManifestError:
            return False
        current = self.store.current(self.preferred)
        if current is not None and current.digest == wanted.digest:
            return False
        status = self.store.read_status(self.preferred) or {}
        # A failed build of this very manifest is not retried at every start: the
        # status says why, `cloudbook image build` tries again.
        return not (status.get("state") == "failed" and status.get("digest") == wanted.digest)

    def start(self) -> None:
        if self.autobuild and self.needs_build():
            self.build_in_background(self.preferred)

    def build_in_background(self, name: str) -> bool:
        """Start building ``name`` unless a build runs already; False when one does."""
        if self._task is not None and not self._task.done():
            return False
        wanted = manifests.load(name, self.manifest_dir)
        self._build = Build(wanted, self.store)
        self._task = asyncio.get_running_loop().create_task(self._run(self._build))
        return True

    async def _run(self, build: Build) -> None:
        name = build.manifest.name
        log.info("building runtime image %s (%d packages)", name, build.total)
        try:
            image = await asyncio.to_thread(build.run)
        except BuildFailed as exc:
            log.warning("runtime image %s: build failed, keeping %s: %s",
                        name, self.active.name, exc)  # fmt: skip
            return
        log.info("runtime image %s %s is ready", name, image.digest)
        if active_image(self.store, self.preferred).digest != self.active.digest:
            await self.switch_to(active_image(self.store, self.preferred))

    async def switch_to(self, image: Image) -> None:
        self.active = image
        for callback in self._on_switch:
            try:
                await callback(image)
            except Exception:
                log.exception("switching runtimes to image %s", image.name)

    async def wait_build(self) -> None:
        """Until the background build (if any) has finished and been switched to."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def shutdown(self) -> None:
        if self._build is not None:
            self._build.cancel()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def building(self) -> dict[str, Any] | None:
        if self._build is None or self._task is None:
            return None
        return dict(self._build.status)

    def describe(self) -> dict[str, Any]:
        """For the page: what runtimes use now and the build in progress (or failed)."""
        status = self.building() or self.store.read_status(self.preferred)
        if status is not None and status.get("state") not in ("building", "failed"):
            status = None
        return {
            "active": self.active.name,
            "active_digest": self.active.digest,
            "preferred": self.preferred,
            "build": status,
        }

    def log_tail(self, name: str) -> str:
        path = self.store.log_path(manifests.check_name(name))
        try:
            with open(path, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - LOG_TAIL_BYTES))
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""
