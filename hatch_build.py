"""Hatch build hook: build the frontend into cloudbook/static for wheels and editable installs.

Runs ``npm ci`` (``npm install`` without a lockfile) and ``npm run build`` in
``frontend/``. The install step is skipped when ``node_modules`` already matches
the lockfile, so a developer's ``pip install -e .`` neither wipes nor re-downloads
it. Set ``CLOUDBOOK_SKIP_FRONTEND_BUILD=1`` to skip everything (the server then
shows a clear "frontend not built" page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SKIP_ENV = "CLOUDBOOK_SKIP_FRONTEND_BUILD"


class FrontendBuildError(RuntimeError):
    pass


def _install_needed(frontend: Path) -> bool:
    """True unless node_modules was installed from the current lockfile (npm writes
    node_modules/.package-lock.json at the end of every successful install)."""
    lock = frontend / "package-lock.json"
    installed = frontend / "node_modules" / ".package-lock.json"
    if not lock.exists() or not installed.exists():
        return True
    return installed.stat().st_mtime < max(
        lock.stat().st_mtime, (frontend / "package.json").stat().st_mtime
    )


def _run(command: list[str], cwd: Path) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True)
    except subprocess.CalledProcessError as exc:
        raise FrontendBuildError(
            f"building the cloudbook frontend failed: `{' '.join(command[1:])}` in {cwd} exited "
            f"with status {exc.returncode} (see its output above; set {SKIP_ENV}=1 to install "
            "without the frontend)"
        ) from None


def build_frontend(root: Path) -> None:
    frontend = root / "frontend"
    npm = shutil.which("npm")
    if npm is None:
        raise FrontendBuildError(
            "npm was not found: building cloudbook needs Node.js 18+ and npm to bundle the "
            f"frontend (install them, e.g. `apt-get install nodejs npm`, or set {SKIP_ENV}=1 "
            "to install without the web interface)"
        )
    if _install_needed(frontend):
        install = "ci" if (frontend / "package-lock.json").exists() else "install"
        _run([npm, install, "--no-audit", "--no-fund", "--loglevel=error"], frontend)
    _run([npm, "run", "build", "--silent"], frontend)
    if not (root / "cloudbook" / "static" / "index.html").is_file():
        raise FrontendBuildError("the frontend build finished but wrote no index.html")


class FrontendBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        # Editable installs build the "wheel" target too (version == "editable").
        if self.target_name != "wheel" or os.environ.get(SKIP_ENV) == "1":
            return
        build_frontend(Path(self.root))
