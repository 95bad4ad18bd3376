"""Colab-style notebooks that import the heavy packages, on the built `colab` image, through
`cloudbook run` as a user would. Marked `colab_image`: they run where the image is built
(`cloudbook image build colab`, or CLOUDBOOK_TEST_IMAGES pointing at a shared build) and
are deselected elsewhere, so the default run stays on the minimal image."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.images.colab_image import colab_images_dir

pytestmark = [pytest.mark.colab_image, pytest.mark.timeout(900)]

NOTEBOOK = Path(__file__).parents[1] / "colab_notebooks" / "heavy_imports.ipynb"
# What each code cell of the notebook must show, in order.
EXPECTED = [
    "Colab only includes TensorFlow 2.x",
    "x**3/3",
    "6",  # tensorflow
    "6",  # torch
    "6",  # jax
    "[1.0, 2.0]",  # statsmodels
    "[0, 1, 2, 3, 4]",  # networkx
    "plotted",
    "[(42,)]",  # duckdb
    # Colab's kernel stack: IPython, ipykernel, ipywidgets, jupyter_server
    "7.34.0 6.17.1 7.7.1 2.20.0",
    "free port True",  # portpicker
    "README.md",  # sample_data
    "cache writable: True",  # ~/.cache, as on Colab, even with the image under /root
]


def test_heavy_imports_in_a_colab_notebook(tmp_path: Path) -> None:
    images = colab_images_dir()
    nb = NOTEBOOK
    out = tmp_path / "out.ipynb"
    env = {
        **os.environ,
        "CLOUDBOOK_IMAGES_PATH": str(images),
        "CLOUDBOOK_RUNTIME_IMAGE": "colab",
        "CLOUDBOOK_RUNTIME_START_TIMEOUT": "180",
    }
    run = subprocess.run(
        [sys.executable, "-m", "cloudbook", "run", str(nb), "-o", str(out),
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=850, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    done = [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code"]
    for expected, result in zip(EXPECTED, done, strict=True):
        shown = json.dumps(result["outputs"])
        assert expected in shown, (result["source"], shown[:2000])
        assert '"output_type": "error"' not in shown, shown[:2000]
    plotly = done[7]["outputs"]
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) or
               "text/html" in o.get("data", {}) for o in plotly)  # fmt: skip
