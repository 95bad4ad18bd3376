"""``%tensorflow_version``: Colab accepts it and changes nothing (it ships TensorFlow 2 only);
notebooks written for Colab 1.x-era still start with ``%tensorflow_version 2.x``."""

from __future__ import annotations

NOTICE = "Colab only includes TensorFlow 2.x; %tensorflow_version has no effect."


def tensorflow_version(line: str) -> None:
    print(NOTICE)
