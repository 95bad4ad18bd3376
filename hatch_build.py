"""Hatch build hook: build the frontend into cloudbook/static for wheels and editable installs.

Set CLOUDBOOK_SKIP_FRONTEND_BUILD=1 to skip (the server then shows a clear
"frontend not built" page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class FrontendBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("CLOUDBOOK_SKIP_FRONTEND_BUILD") == "1":
            return
        frontend = Path(self.root) / "frontend"
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "npm is needed to build the cloudbook frontend (install Node.js and npm, "
                "or set CLOUDBOOK_SKIP_FRONTEND_BUILD=1)"
            )
        install = "ci" if (frontend / "package-lock.json").exists() else "install"
        subprocess.run(
            [npm, install, "--no-audit", "--no-fund", "--loglevel=error"], cwd=frontend, check=True
        )
        subprocess.run([npm, "run", "build"], cwd=frontend, check=True)
