"""cloudbook-colab builds as its own wheel and works in an environment without cloudbook."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.colab_wheel import build_wheel, venv_with_wheel

pytestmark = pytest.mark.timeout(300)


def test_wheel_holds_google_colab_only(tmp_path: Path) -> None:
    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    assert "google/colab/__init__.py" in names
    assert "google/colab/resources/upload.js" in names
    assert not [n for n in names if n.startswith("cloudbook/") or "__pycache__" in n]


def test_fresh_venv_imports_the_wheel_and_loads_the_extension(tmp_path: Path) -> None:
    python = venv_with_wheel(tmp_path)
    code = (
        "import importlib.util, google.colab\n"
        "from IPython.testing.globalipapp import get_ipython\n"
        "ip = get_ipython(); ip.extension_manager.load_extension('google.colab')\n"
        "print(google.colab.__file__)\n"
        "print(importlib.util.find_spec('cloudbook'))\n"
    )
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    where, cloudbook = out.stdout.split()[:2]
    assert where.startswith(str(tmp_path / "venv"))
    assert cloudbook == "None"  # nothing of the service there
