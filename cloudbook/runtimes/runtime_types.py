"""Runtime types as Colab stores them in a notebook, and the warm-pool setting.

Colab writes the type into the notebook's top-level metadata::

    "accelerator": "GPU",                       # absent for None (CPU)
    "colab": {"gpuType": "T4", "machine_shape": "hm"}   # hm = High-RAM

so a Colab notebook that asks for a GPU gets one here, and a type chosen here
opens in Colab unchanged.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Literal

Accelerator = Literal["none", "gpu"]
Shape = Literal["standard", "highmem"]
PoolKind = Literal["cpu", "gpu"]
POOL_ITEM = re.compile(r"\s*(cpu|gpu)\s*:\s*([0-9]{1,2})\s*")
HIGHMEM = "hm"


@dataclass(frozen=True)
class RuntimeType:
    accelerator: Accelerator = "none"
    gpu_type: str | None = None  # None: any model
    shape: Shape = "standard"

    @property
    def pool_kind(self) -> PoolKind:
        return "gpu" if self.accelerator == "gpu" else "cpu"

    def describe(self) -> str:
        kind = "CPU" if self.accelerator == "none" else f"{self.gpu_type or 'any'} GPU"
        return kind + (" (High-RAM)" if self.shape == "highmem" else "")


CPU = RuntimeType()


def from_metadata(metadata: Any) -> RuntimeType:
    """The type a notebook asks for; anything unknown (TPU, garbage) means CPU."""
    if not isinstance(metadata, dict):
        return CPU
    colab = metadata.get("colab")
    colab = colab if isinstance(colab, dict) else {}
    shape: Shape = "highmem" if colab.get("machine_shape") == HIGHMEM else "standard"
    accel = metadata.get("accelerator")
    if not isinstance(accel, str) or accel.upper() != "GPU":
        return RuntimeType("none", None, shape)
    gpu_type = colab.get("gpuType")
    return RuntimeType("gpu", gpu_type if isinstance(gpu_type, str) and gpu_type else None, shape)


def to_metadata(metadata: dict[str, Any], rtype: RuntimeType) -> dict[str, Any]:
    """A copy of ``metadata`` carrying ``rtype`` the way Colab writes it."""
    out = copy.deepcopy(metadata)
    colab = out.get("colab")
    colab = dict(colab) if isinstance(colab, dict) else {}
    if rtype.accelerator == "gpu":
        out["accelerator"] = "GPU"
        if rtype.gpu_type:
            colab["gpuType"] = rtype.gpu_type
        else:
            colab.pop("gpuType", None)
    else:
        out.pop("accelerator", None)
        colab.pop("gpuType", None)
    if rtype.shape == "highmem":
        colab["machine_shape"] = HIGHMEM
    else:
        colab.pop("machine_shape", None)
    if colab:
        out["colab"] = colab
    else:
        out.pop("colab", None)
    return out


def parse_pool(spec: str | None, cpu_default: int) -> dict[PoolKind, int]:
    """``CLOUDBOOK_POOL`` (``cpu:2,gpu:1``) → sizes; without it, ``cpu`` is
    ``CLOUDBOOK_POOL_SIZE``. Raises ValueError naming the bad part."""
    sizes: dict[PoolKind, int] = {"cpu": cpu_default, "gpu": 0}
    if spec is None or not spec.strip():
        return sizes
    sizes["cpu"] = 0
    for part in spec.split(","):
        match = POOL_ITEM.fullmatch(part)
        if match is None:
            raise ValueError(f"CLOUDBOOK_POOL: {part.strip()!r} is not kind:count (cpu:2,gpu:1)")
        kind: PoolKind = "gpu" if match.group(1) == "gpu" else "cpu"
        sizes[kind] = int(match.group(2))
    return sizes
