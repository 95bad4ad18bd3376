"""Where images live and which version is in use.

``<data>/images/<name>/<digest>/`` is one version (a venv); its ``image.json`` is written
last, so a version without it is unfinished. ``<name>/current`` is a symbolic link to
the version runtimes use, replaced atomically (``os.replace``) when a build completes.
``<data>/images/wheelhouse/`` holds every wheel a build downloaded: later builds and the
runtimes' ``pip install`` (read-only, as a find-links folder) take them from there.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudbook.images.manifest import check_name

MARKER = "image.json"
CURRENT = "current"
STATUS = "status.json"
LOG = "build.log"


@dataclass(frozen=True)
class Image:
    name: str
    digest: str
    path: Path
    packages: int
    built_at: float
    service_env: bool = False  # the service's own environment standing in (not built)

    @property
    def python(self) -> str:
        if self.service_env:
            return sys.executable
        return str(self.path / "bin" / "python")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "digest": self.digest,
            "path": str(self.path),
            "packages": self.packages,
            "built_at": self.built_at,
            "service_env": self.service_env,
        }


def service_image() -> Image:
    """The service's own environment, which carries the ``minimal`` image's packages
    (pyproject.toml; tests/images checks it): what runtimes use before any build."""
    return Image(
        name="minimal",
        digest="service",
        path=Path(sys.prefix),
        packages=0,
        built_at=0.0,
        service_env=True,
    )


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def wheelhouse(self) -> Path:
        return self.root / "wheelhouse"

    def folder(self, name: str) -> Path:
        return self.root / check_name(name)

    def version_dir(self, name: str, digest: str) -> Path:
        return self.folder(name) / digest

    def log_path(self, name: str) -> Path:
        return self.folder(name) / LOG

    def _read_marker(self, name: str, folder: Path) -> Image | None:
        try:
            info = json.loads((folder / MARKER).read_text())
            return Image(
                name=name,
                digest=folder.name,
                path=folder,
                packages=int(info["packages"]),
                built_at=float(info["built_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def versions(self, name: str) -> list[Image]:
        """Complete versions of ``name``, newest first."""
        folder = self.folder(name)
        if not folder.is_dir():
            return []
        found = [
            image
            for child in folder.iterdir()
            if child.is_dir() and not child.is_symlink()
            for image in [self._read_marker(name, child)]
            if image is not None
        ]
        return sorted(found, key=lambda i: i.built_at, reverse=True)

    def current(self, name: str) -> Image | None:
        link = self.folder(name) / CURRENT
        try:
            digest = os.readlink(link)
        except OSError:
            return None
        if "/" in digest:
            return None
        return self._read_marker(name, self.folder(name) / digest)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and p.name != "wheelhouse" and (p / CURRENT).is_symlink()
        )

    def mark_complete(self, name: str, digest: str, packages: int) -> Image:
        folder = self.version_dir(name, digest)
        info = {"packages": packages, "built_at": time.time(), "python": sys.version}
        tmp = folder / (MARKER + ".tmp")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, folder / MARKER)
        image = self._read_marker(name, folder)
        assert image is not None
        return image

    def switch(self, name: str, digest: str) -> None:
        """Point ``current`` at a complete version, atomically."""
        folder = self.folder(name)
        if self._read_marker(name, folder / digest) is None:
            raise ValueError(f"image {name} version {digest} is not complete")
        tmp = folder / f".{CURRENT}.{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(digest, tmp)
        os.replace(tmp, folder / CURRENT)

    def prune(self, name: str, keep: int = 2) -> list[str]:
        """Delete unfinished versions and all but the ``keep`` newest complete ones (the
        current one always stays): the previous version remains for a rollback."""
        folder = self.folder(name)
        if not folder.is_dir():
            return []
        current = self.current(name)
        kept = {i.digest for i in self.versions(name)[:keep]}
        if current is not None:
            kept.add(current.digest)
        removed: list[str] = []
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink() and child.name not in kept:
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child.name)
        return removed

    def remove(self, name: str) -> bool:
        """Delete every version of ``name``; runtimes started from it keep running on
        files already open, new ones use the next image (docs/runtime-images.md)."""
        folder = self.folder(name)
        if not folder.exists():
            return False
        # The link first: nothing picks a half-deleted version.
        with contextlib.suppress(FileNotFoundError):
            (folder / CURRENT).unlink()
        shutil.rmtree(folder, ignore_errors=True)
        return True

    # --- build status, shared with the service and `cloudbook image list` ---------

    def write_status(self, name: str, status: dict[str, Any]) -> None:
        folder = self.folder(name)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{STATUS}.{os.getpid()}"
        tmp.write_text(json.dumps(status))
        os.replace(tmp, folder / STATUS)

    def read_status(self, name: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder(name) / STATUS).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None
