"""What makes a runtime Colab-like: the ``google.colab`` package, its kernel set-up, sample data.

Runtime providers use this module; nothing here is imported inside kernels.

- ``SITE_DIR`` goes on every runtime's PYTHONPATH: it holds ``google/colab``
  (a namespace portion: other ``google.*`` packages still import).
- ``JUPYTER_DATA_DIR`` goes on JUPYTER_PATH: its ``kernels/python3`` kernelspec
  shadows ipykernel's built-in one and loads the ``google.colab`` IPython
  extension into every kernel (``--IPKernelApp.extensions=google.colab``).
- ``SAMPLE_DATA_DIR`` is copied to ``/content/sample_data`` when a runtime is created.

See docs/colab-protocol.md for the variables and mounts a runtime needs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_HERE = Path(__file__).resolve().parent
SITE_DIR = _HERE / "site"
JUPYTER_DATA_DIR = _HERE / "share" / "jupyter"
SAMPLE_DATA_DIR = _HERE / "sample_data"


def runtime_env(
    *,
    runtime_id: str,
    packages_dir: str,
    drive_path: str | None = None,
    drive_ro_path: str | None = None,
    headless: bool = False,
    pythonpath: str = "",
) -> dict[str, str]:
    """Environment variables for a runtime's Jupyter server (paths as seen inside it)."""
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in (str(SITE_DIR), pythonpath) if p),
        "JUPYTER_PATH": str(JUPYTER_DATA_DIR),
        "CLOUDBOOK_RUNTIME_ID": runtime_id,
        "CLOUDBOOK_PACKAGES_DIR": packages_dir,
        # plotly's renderer as on Colab (text/html loading plotly.js from its CDN; the
        # output frame loads the service's copy instead). Newer plotly detects Colab by
        # COLAB_NOTEBOOK_ID, older by importing google.colab; this names it outright.
        "PLOTLY_RENDERER": "colab",
        # A module in /content rewritten in the same second at the same size (cells run
        # back to back: `%%writefile` then `%autoreload`, or Run all) would otherwise be
        # imported from its stale .pyc, whose check is the source's whole-second mtime
        # and size. Images and pip installs are compiled when they are installed.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if drive_path:
        env["CLOUDBOOK_DRIVE_PATH"] = drive_path
    if drive_ro_path:
        env["CLOUDBOOK_DRIVE_RO_PATH"] = drive_ro_path
    if headless:
        env["CLOUDBOOK_HEADLESS"] = "1"
    return env


def install_sample_data(content_dir: Path) -> Path:
    """Copy the sample datasets to ``<content_dir>/sample_data`` (once, at runtime creation)."""
    target = content_dir / "sample_data"
    if not target.exists():
        shutil.copytree(SAMPLE_DATA_DIR, target)
    return target
