"""ipywidgets 7 models render and stay live in the page: a runtime image with Colab's
kernel stack (ipykernel 6.17.1, IPython 7.34.0, ipywidgets 7.7.1, jupyter_server 2.20.0,
jupyter_client 7.4.9), built by the service at start as on a first `make serve`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in
from tests.e2e.test_widgets import BUTTON, PRINT_LEVEL, SLIDER, Runner, cell, frame

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]
KERNEL_STACK = (
    "ipykernel", "ipython", "ipywidgets", "jupyter_client", "jupyter_core", "jupyter_server",
    "jupyterlab_widgets", "widgetsnbextension", "traitlets", "tornado", "pyzmq", "psutil",
    "matplotlib-inline", "comm", "debugpy", "nest-asyncio",
)  # fmt: skip


@pytest.fixture
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    pins = [
        line.split(" #")[0]
        for line in (ROOT / "runtime-images" / "colab.txt").read_text().splitlines()
        if line.split("==")[0].lower() in KERNEL_STACK
    ]
    manifests = tmp_path_factory.mktemp("manifests")
    (manifests / "colab.txt").write_text("\n".join(pins) + "\n")
    return {
        "CLOUDBOOK_IMAGE_AUTOBUILD": "1",
        "CLOUDBOOK_IMAGE_MANIFESTS": str(manifests),
        "CLOUDBOOK_RUNTIME_START_TIMEOUT": "120",
    }


def wait_for_image(page: Page, served: Served) -> None:
    """Until new runtimes use the built image (the warm pool is renewed from it)."""
    deadline = time.monotonic() + 400
    while page.request.get(f"{served.base}/api/images").json()["active"] != "colab":
        assert time.monotonic() < deadline, "the image was not built"
        page.wait_for_timeout(500)


def test_ipywidgets_7_models_render_and_stay_live(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    log_in(page, cloudbook_server)
    versions = "import ipywidgets; print(ipywidgets.__version__)"
    cells = [SLIDER, PRINT_LEVEL, BUTTON, versions]
    nb_id = create_notebook(page, "widgets7.ipynb", [code_cell(c) for c in cells])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    wait_for_image(page, cloudbook_server)
    run = Runner(page)
    run(0)
    slider = frame(page, 0)
    expect(slider.locator(".noUi-handle")).to_be_visible(timeout=60_000)
    expect(slider.locator(".widget-readout")).to_have_text("3")
    expect(slider.locator(".widget-label")).to_have_text("Level")
    slider.locator(".noUi-handle").focus()
    slider.locator(".noUi-handle").press("ArrowRight")
    expect(slider.locator(".widget-readout")).to_have_text("4")
    expect(run(1)).to_have_text("level is 4")
    run(2)
    button = frame(page, 2).get_by_role("button", name="Press me")
    expect(button).to_be_visible(timeout=30_000)
    button.click()
    expect(frame(page, 2).locator(".widget-output")).to_contain_text("pressed 1 times")
    expect(run(3)).to_have_text("7.7.1")
    page.screenshot(path=str(tmp_path / "widgets7.png"))
    assert cell(page, 0).is_visible()
