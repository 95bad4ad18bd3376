"""The cloudbook-colab wheel (packages/cloudbook-colab) built and installed into a fresh
virtual environment, for a plain Jupyter server that is not one of cloudbook's runtimes.

The fresh environment gets only the wheel (``--no-deps``); Jupyter itself comes from the
test environment through a ``.pth`` line placed after its own site-packages, so nothing
of cloudbook is importable there except what the wheel installed."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "packages" / "cloudbook-colab"


def build_wheel(out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(PACKAGE),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("cloudbook_colab-*.whl")
    return wheel


def venv_with_wheel(base: Path) -> Path:
    """A new venv holding the wheel; returns its python."""
    wheel = build_wheel(base / "dist")
    env_dir = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "zz_test_jupyter.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python
