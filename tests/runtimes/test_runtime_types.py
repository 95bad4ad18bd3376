"""Runtime types as Colab writes them into notebooks, and CLOUDBOOK_POOL."""

from __future__ import annotations

import pytest

from cloudbook.runtimes.runtime_types import (
    CPU,
    RuntimeType,
    from_metadata,
    parse_pool,
    to_metadata,
)


def test_colab_gpu_notebook_asks_for_a_gpu() -> None:
    # The metadata of a notebook saved by Colab with a T4 and High-RAM.
    meta = {
        "accelerator": "GPU",
        "colab": {"provenance": [], "gpuType": "T4", "machine_shape": "hm"},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
    }
    assert from_metadata(meta) == RuntimeType("gpu", "T4", "highmem")
    assert from_metadata({"accelerator": "TPU"}) == CPU
    assert from_metadata({"colab": {"gpuType": "T4"}}) == CPU  # no accelerator: CPU
    assert from_metadata("junk") == CPU


def test_writing_back_keeps_other_metadata() -> None:
    meta = {"colab": {"provenance": []}, "kernelspec": {"name": "python3"}}
    gpu = to_metadata(meta, RuntimeType("gpu", "L4", "standard"))
    assert gpu == {
        "accelerator": "GPU",
        "colab": {"provenance": [], "gpuType": "L4"},
        "kernelspec": {"name": "python3"},
    }
    assert meta == {"colab": {"provenance": []}, "kernelspec": {"name": "python3"}}
    assert to_metadata(gpu, CPU) == meta
    assert from_metadata(to_metadata({}, RuntimeType("none", None, "highmem"))).shape == "highmem"


def test_pool_setting() -> None:
    assert parse_pool(None, 3) == {"cpu": 3, "gpu": 0}
    assert parse_pool("cpu:2,gpu:1", 3) == {"cpu": 2, "gpu": 1}
    assert parse_pool("gpu:1", 3) == {"cpu": 0, "gpu": 1}
    with pytest.raises(ValueError, match="'tpu:1' is not kind:count"):
        parse_pool("cpu:1,tpu:1", 1)
