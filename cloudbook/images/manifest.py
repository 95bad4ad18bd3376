"""Manifests: which packages an image holds (``runtime-images/<name>.txt``)."""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import cloudbook

# Repository checkouts (and editable installs) keep the manifests beside the package.
MANIFEST_DIR = Path(cloudbook.__file__).resolve().parent.parent / "runtime-images"
NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Manifest:
    name: str
    path: Path
    text: str

    @property
    def requirements(self) -> list[str]:
        """The requirement lines, comments stripped."""
        found: list[str] = []
        for line in self.text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                found.append(line)
        return found

    @property
    def packages(self) -> list[str]:
        """Normalised project names, in manifest order."""
        names: list[str] = []
        for line in self.requirements:
            m = REQUIREMENT.match(line)
            if m and not line.startswith("-"):
                names.append(normalise(m.group(1)))
        return names

    @property
    def digest(self) -> str:
        """What the image's version depends on: the requirements and this host's Python."""
        python = f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"
        body = "\n".join([python, *self.requirements])
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ManifestError(f"not an image name: {name!r} (lower-case letters, digits, '-')")
    return name


def manifest_dir(configured: Path | None = None) -> Path:
    return configured if configured is not None else MANIFEST_DIR


def load(name: str, directory: Path | None = None) -> Manifest:
    path = manifest_dir(directory) / f"{check_name(name)}.txt"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ManifestError(f"no manifest for image {name!r} ({path})") from None
    return Manifest(name=name, path=path, text=text)


def available(directory: Path | None = None) -> list[str]:
    folder = manifest_dir(directory)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.txt") if NAME.fullmatch(p.stem))
