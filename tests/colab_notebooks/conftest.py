"""Every notebook test here runs on the image CI has and, where built, the colab image."""

from __future__ import annotations

import pytest

from tests.images.colab_image import colab_images_dir


@pytest.fixture(
    autouse=True,
    params=["minimal", pytest.param("colab", marks=pytest.mark.colab_image)],
)
def image(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each notebook on the image CI has (the service's environment as minimal) and on
    the built colab image (Colab's packages and kernel stack), where it is built."""
    if request.param == "colab":
        monkeypatch.setenv("CLOUDBOOK_IMAGES_PATH", str(colab_images_dir()))
        monkeypatch.setenv("CLOUDBOOK_RUNTIME_IMAGE", "colab")
        monkeypatch.setenv("CLOUDBOOK_RUNTIME_START_TIMEOUT", "180")
    return str(request.param)
