"""Zero set-up in the page: on first start the notebook page says "Installing Colab's
packages: n/N" while the service builds the image in the background; once complete the
line goes and the next runtime runs on the new image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import open_cells, outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    manifests = tmp_path_factory.mktemp("manifests")
    # Named colab: the page speaks of Colab's packages. Small, with what a runtime needs
    # and an old six that tells this image from the service's environment.
    (manifests / "colab.txt").write_text("jupyter_server\nipykernel\npsutil\nsix==1.16.0\n")
    return {
        "CLOUDBOOK_IMAGE_AUTOBUILD": "1",
        "CLOUDBOOK_IMAGE_MANIFESTS": str(manifests),
        "CLOUDBOOK_RUNTIME_START_TIMEOUT": "120",
    }


def test_the_page_shows_the_build_then_runs_on_the_new_image(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    log_in(page, cloudbook_server)
    open_cells(
        page, cloudbook_server, "six.ipynb", [code_cell("import six; print(six.__version__)")]
    )
    notice = page.get_by_test_id("image-notice")
    expect(notice).to_have_text(
        re.compile(r"^Installing Colab's packages: \d+/\d+"), timeout=30_000
    )
    page.screenshot(path=str(tmp_path / "image-notice.png"))
    expect(notice).to_be_hidden(timeout=400_000)
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text("1.16.0")
