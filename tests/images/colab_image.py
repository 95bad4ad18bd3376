"""Where the tests find a built `colab` image (shared by every test run on a machine)."""

from __future__ import annotations

import os
from pathlib import Path

from cloudbook.images import manifest
from cloudbook.images.store import ImageStore


def colab_images_dir() -> Path:
    default = Path.home() / ".cache" / "cloudbook" / "images"
    return Path(os.environ.get("CLOUDBOOK_TEST_IMAGES", default))


def colab_image_built() -> bool:
    """A complete build of the current manifest (an older build does not count)."""
    current = ImageStore(colab_images_dir()).current("colab")
    return current is not None and current.digest == manifest.load("colab").digest
