"""Replacements for functions that need a desktop (``cv2.imshow``)."""

from __future__ import annotations

from typing import Any

__all__ = ["cv2_imshow", "cv_imshow"]


def cv2_imshow(a: Any) -> None:
    """Show an OpenCV image (a numpy array: grayscale, BGR or BGRA) in the output."""
    import numpy as np
    from google.colab.output._publish import display
    from PIL import Image

    image = np.asarray(a).clip(0, 255).astype("uint8")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        # OpenCV keeps colours as BGR(A); PIL wants RGB(A).
        order = [2, 1, 0, 3][: image.shape[2]]
        image = np.ascontiguousarray(image[:, :, order])
    elif image.ndim != 2:
        raise ValueError(f"cv2_imshow needs an image array, got shape {image.shape}")
    display(Image.fromarray(image))


cv_imshow = cv2_imshow
