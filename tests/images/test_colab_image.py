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
from typing import Any

import pytest

from tests.images.colab_image import colab_images_dir

pytestmark = [pytest.mark.colab_image, pytest.mark.timeout(900)]

# (source, what its output must show), each a cell of a Colab notebook.
CELLS = [
    ("%tensorflow_version 2.x", "Colab only includes TensorFlow 2.x"),
    ("import sympy\nx = sympy.symbols('x')\nprint(sympy.integrate(x**2, x))", "x**3/3"),
    (
        "import tensorflow as tf\nprint(int(tf.reduce_sum(tf.constant([1, 2, 3])).numpy()))",
        "6",
    ),
    ("import torch\nprint(torch.arange(4).sum().item())", "6"),
    ("import jax.numpy as jnp\nprint(int(jnp.arange(4).sum()))", "6"),
    (
        "import numpy as np, statsmodels.api as sm\n"
        "X = sm.add_constant(np.arange(10.0))\n"
        "fit = sm.OLS(2 * np.arange(10.0) + 1, X).fit()\n"
        "print([round(p, 3) for p in fit.params])",
        "[1.0, 2.0]",
    ),
    (
        "import networkx as nx\ng = nx.path_graph(5)\nprint(nx.shortest_path(g, 0, 4))",
        "[0, 1, 2, 3, 4]",
    ),
    (
        "import plotly.express as px\n"
        "fig = px.line(x=[1, 2, 3], y=[3, 1, 2])\n"
        "fig.show()\nprint('plotted')",
        "plotted",
    ),
    ("import duckdb\nprint(duckdb.sql('select 40 + 2 as v').fetchall())", "[(42,)]"),
    (
        "import IPython, ipykernel, ipywidgets, portpicker\n"
        "print(IPython.__version__, ipykernel.__version__, ipywidgets.__version__)",
        "7.34.0 6.17.1 7.7.1",
    ),
    ("import os\nprint(sorted(os.listdir('/content/sample_data'))[0])", "README.md"),
]


def cell(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}


def test_heavy_imports_in_a_colab_notebook(tmp_path: Path) -> None:
    images = colab_images_dir()
    nb = tmp_path / "heavy.ipynb"
    nb.write_text(
        json.dumps(
            {
                "nbformat": 4,
                "nbformat_minor": 0,
                "metadata": {"colab": {"provenance": []}, "kernelspec": {"name": "python3"}},
                "cells": [cell(source) for source, _ in CELLS],
            }
        )
    )
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
    done = json.loads(out.read_text())["cells"]
    for (source, expected), result in zip(CELLS, done, strict=True):
        shown = json.dumps(result["outputs"])
        assert expected in shown, (source, shown[:2000])
    plotly = done[7]["outputs"]
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) or
               "text/html" in o.get("data", {}) for o in plotly)  # fmt: skip
