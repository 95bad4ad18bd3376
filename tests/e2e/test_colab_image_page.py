"""The built colab image in the page: a notebook that imports Colab's heavy packages runs
in the browser as on Colab, and plotly's figure is drawn. Marked `colab_image`: runs
where the image is built (docs/runtime-images.md), deselected elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import cell, open_notebook, outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.images.colab_image import colab_images_dir

pytestmark = [pytest.mark.e2e, pytest.mark.colab_image, pytest.mark.timeout(900)]
IMPORT_TIMEOUT = 400_000  # tensorflow and torch on a loaded 2-core machine


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {
        "CLOUDBOOK_IMAGES_PATH": str(colab_images_dir()),
        "CLOUDBOOK_RUNTIME_IMAGE": "colab",
        "CLOUDBOOK_RUNTIME_START_TIMEOUT": "180",
    }


def test_heavy_packages_run_in_the_page(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    open_notebook(
        page,
        cloudbook_server,
        "colab.ipynb",
        [
            "import torch, tensorflow as tf, sympy\n"
            "print(torch.__version__.split('+')[0], tf.__version__, sympy.__version__)",
            "import plotly.express as px\npx.bar(x=['a', 'b'], y=[2, 3]).show()",
        ],
    )
    run_and_wait(page, 0, timeout=IMPORT_TIMEOUT)
    # (google.api_core, which tensorflow imports, warns on stderr that Python 3.11 nears
    # its end of support: Colab runs 3.12+, this host 3.11)
    expect(outputs(page, 0)).to_contain_text("2.11.0 2.20.0 1.14.0")
    run_and_wait(page, 1, timeout=IMPORT_TIMEOUT)
    # plotly's figure in the output frame (plotly.js itself comes from cdn.plot.ly, as on
    # Colab: out of this machine's reach, so the div is checked, not the drawing)
    frame = cell(page, 1).frame_locator("iframe.output-frame")
    expect(frame.locator(".plotly-graph-div").first).to_be_attached(timeout=60_000)
    shots = Path(os.environ.get("CLOUDBOOK_SHOTS", tmp_path))
    page.screenshot(path=str(shots / "colabimg-heavy-imports.png"), full_page=True)
