"""`cloudbook run` and GPUs: a Colab GPU notebook on a machine without one warns and uses
the CPU, `--require-gpu` fails clearly before anything runs, and a (fake) GPU is given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)
PROBE = "import os; print('cuda=' + os.environ.get('CUDA_VISIBLE_DEVICES', '<unset>'))"


def gpu_notebook(path: Path) -> Path:
    cell = {"cell_type": "code", "metadata": {}, "source": PROBE, "outputs": []}
    cell["execution_count"] = None
    meta = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
    nb = {"nbformat": 4, "nbformat_minor": 4, "metadata": meta, "cells": [cell]}
    path.write_text(json.dumps(nb))
    return path


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "CLOUDBOOK_FAKE_GPUS"}
    return subprocess.run(
        [sys.executable, "-m", "cloudbook", "run", *args, "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=170,
        env={**environ, "CLOUDBOOK_SANDBOX": "auto", **env},
    )


def printed(out: Path) -> str:
    cell: dict[str, Any] = json.loads(out.read_text())["cells"][0]
    return "".join(o.get("text", "") for o in cell["outputs"])


def test_require_gpu_without_a_gpu_fails_clearly_and_runs_nothing(tmp_path: Path) -> None:
    nb = gpu_notebook(tmp_path / "gpu.ipynb")
    result = run(tmp_path, str(nb), "--require-gpu")
    assert result.returncode == 2
    assert "--require-gpu: this machine has no NVIDIA GPU" in result.stderr
    assert "nothing was run" in result.stderr
    assert not (tmp_path / "gpu.out.ipynb").exists()


def test_gpu_notebook_without_a_gpu_warns_and_runs_on_the_cpu(tmp_path: Path) -> None:
    nb = gpu_notebook(tmp_path / "gpu.ipynb")
    result = run(tmp_path, str(nb))
    assert result.returncode == 0, result.stderr
    assert "warning: the notebook asks for a GPU" in result.stderr
    assert "running on the CPU" in result.stderr
    assert printed(tmp_path / "gpu.out.ipynb").strip() == "cuda="


def test_gpu_notebook_gets_the_gpu(tmp_path: Path) -> None:
    nb = gpu_notebook(tmp_path / "gpu.ipynb")
    result = run(tmp_path, str(nb), "--require-gpu", CLOUDBOOK_FAKE_GPUS="T4")
    assert result.returncode == 0, result.stderr
    assert printed(tmp_path / "gpu.out.ipynb").strip().startswith("cuda=GPU-fake")
