"""`cloudbook image build [NAME] | list | remove NAME` (docs/runtime-images.md)."""

from __future__ import annotations

import sys
import time
from typing import Any

from cloudbook.settings import Settings


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


class ProgressLine:
    """One status line, rewritten in place on a terminal, printed now and then otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.step: tuple[str, int] = ("", -1)

    def __call__(self, status: dict[str, Any]) -> None:
        now = time.monotonic()
        step = (str(status["phase"]), int(status["done"]))
        # Not a terminal (a log): a line per package, and for bytes now and then.
        if not self.tty and step == self.step and now - self.last < 5:
            return
        self.last, self.step = now, step
        eta = status.get("eta_s")
        text = (
            f"{status['name']}: {status['phase']} {status['done']}/{status['total']} packages, "
            f"{_size(status['bytes'])}" + (f", ETA {eta:.0f} s" if eta else "")
        )
        if self.tty:
            sys.stderr.write("\r\033[K" + text)
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _store(settings: Settings) -> Any:
    from cloudbook.images.store import ImageStore

    return ImageStore(settings.images_dir)


def image_build(settings: Settings, name: str | None) -> int:
    from cloudbook.images import manifest
    from cloudbook.images.build import Build, BuildFailed

    wanted = manifest.load(name or settings.runtime_image, settings.image_manifests)
    store = _store(settings)
    progress = ProgressLine()
    try:
        image = Build(wanted, store, progress).run()
    except BuildFailed as exc:
        print(f"\ncloudbook: image {wanted.name} not built, nothing changed: {exc}",
              file=sys.stderr)  # fmt: skip
        print(f"the whole log: {store.log_path(wanted.name)}", file=sys.stderr)
        return 1
    print(f"\n{image.name} {image.digest}: {image.python}")
    return 0


def image_list(settings: Settings) -> int:
    from cloudbook.images import manifest
    from cloudbook.images.service import active_image

    store = _store(settings)
    active = active_image(store, settings.runtime_image)
    names = sorted(set(manifest.available(settings.image_manifests)) | set(store.names()))
    for name in names:
        current = store.current(name)
        status = store.read_status(name) or {}
        try:
            digest = manifest.load(name, settings.image_manifests).digest
        except manifest.ManifestError:
            digest = None
        if current is None:
            state = "not built"
        elif current.digest == digest:
            state = f"built {current.digest}"
        else:
            state = f"built {current.digest} (manifest changed: build again)"
        if status.get("state") == "building":
            state += f", building {status.get('done')}/{status.get('total')}"
        elif status.get("state") == "failed" and status.get("digest") == digest:
            state += f", last build failed: {str(status.get('error', '')).splitlines()[0]}"
        mark = "*" if active.name == name and not active.service_env else " "
        print(f"{mark} {name:12} {state}")
    if active.service_env:
        print("* runtimes use the service's own environment (no image built yet)")
    return 0


def image_remove(settings: Settings, name: str) -> int:
    from cloudbook.images import manifest

    manifest.check_name(name)
    if not _store(settings).remove(name):
        print(f"cloudbook: no image {name!r}", file=sys.stderr)
        return 1
    print(f"removed {name}")
    return 0
