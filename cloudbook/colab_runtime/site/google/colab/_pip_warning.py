"""After ``pip install``: warn when a package that changed was already imported.

Python keeps the old module until the kernel restarts, so Colab shows "WARNING: The
following packages were previously imported in this runtime ... You must restart the
runtime" (display data ``application/vnd.colab-display-data+json`` with
``{"pip_warning": {"packages": [...]}}``, which the page renders). The versions
installed are read from the ``*.dist-info`` folder names on ``sys.path`` before and after
the command (fast: no metadata files are opened until something changed).
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
from importlib import metadata

MIME = "application/vnd.colab-display-data+json"
_PIP_INSTALL = re.compile(r"(?:^|[\s;&|/(])(?:pip3?|-m\s+pip)\s+(?:\S+\s+)*?install\b")
_DIST_INFO = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info$")

Versions = dict[str, tuple[str, str]]  # normalised name -> (version, folder)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_install(cmd: str) -> bool:
    return bool(_PIP_INSTALL.search(cmd))


def installed() -> Versions:
    """The version of each distribution that imports would find (first on sys.path)."""
    found: Versions = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.match(name)
            if match:
                key = _normalise(match["name"])
                found.setdefault(key, (match["version"], os.path.join(entry, name)))
    return found


def _modules(folder: str) -> set[str]:
    """Top-level import names of the distribution installed in ``folder``."""
    info = metadata.PathDistribution(pathlib.Path(folder))
    text = info.read_text("top_level.txt")
    if text:
        return {line.strip() for line in text.splitlines() if line.strip()}
    names: set[str] = set()
    for path in info.files or []:
        top = path.parts[0] if path.parts else ""
        if not top or top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__"):
            continue
        names.add(top.removesuffix(".py"))
    return names


def changed_and_imported(before: Versions, after: Versions) -> list[str]:
    """Names of distributions whose version changed and whose modules are loaded."""
    packages = []
    for key, (version, folder) in sorted(after.items()):
        old = before.get(key)
        if old is None or old[0] == version:
            continue
        if any(m in sys.modules for m in _modules(folder)):
            packages.append(key)
    return packages


def warn(packages: list[str]) -> None:
    if not packages:
        return
    from google.colab.output import _publish

    text = (
        "WARNING: The following packages were previously imported in this runtime:\n"
        f"  [{', '.join(packages)}]\n"
        "You must restart the runtime in order to use newly installed versions."
    )
    _publish._display({MIME: {"pip_warning": {"packages": packages}}, "text/plain": text})
