"""GPUs of this machine: discovery through NVML, and a fake NVML for machines without one.

``discover(settings)`` returns the devices runtimes may be given. Real discovery uses
``nvidia-ml-py`` (``pynvml``), imported only when asked; on a machine without the
NVIDIA driver it finds nothing. ``CLOUDBOOK_FAKE_GPUS`` (tests and benchmarks only,
e.g. ``T4,T4`` or ``T4:2,L4``) replaces NVML with fake devices whose "device nodes"
are plain files in a folder of the data dir, so the whole path (assignment, binding
into the sandbox, ``CUDA_VISIBLE_DEVICES``) runs for real, only the hardware is missing.

Assignment policy lives in :mod:`cloudbook.runtimes.gpu_allocator`.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("cloudbook.runtimes")

# Device nodes every CUDA process needs besides its GPU's own /dev/nvidiaN.
CONTROL_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset")
FAKE_SPEC = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}(?::[1-9][0-9]?)?")
FAKE_MEMORY = 16 * 1024**3


@dataclass(frozen=True)
class Gpu:
    """One device. ``nodes`` are host paths bound into the sandbox at ``/dev/<name>``."""

    index: int
    name: str  # the model as the type dialog lists it, e.g. "T4"
    uuid: str
    memory_total: int
    nodes: tuple[str, ...]


def short_name(full: str) -> str:
    """``Tesla T4`` → ``T4``, ``NVIDIA A100-SXM4-40GB`` → ``A100-SXM4-40GB`` (as Colab names
    them in ``metadata.colab.gpuType``)."""
    name = full.strip()
    for prefix in ("NVIDIA ", "Tesla ", "GeForce "):
        name = name.removeprefix(prefix)
    return name or full


def parse_fake_spec(spec: str) -> list[str]:
    """``T4:2,L4`` → ``["T4", "T4", "L4"]``; raises ValueError for anything else."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if not FAKE_SPEC.fullmatch(part):
            raise ValueError(f"not a fake GPU spec: {part!r} (use NAME or NAME:COUNT)")
        name, _, count = part.partition(":")
        names += [name] * int(count or 1)
    return names


def fake_gpus(spec: str, node_dir: Path) -> list[Gpu]:
    """Fake devices; their nodes are empty files ``node_dir/nvidia<N>`` (+ control nodes)."""
    node_dir.mkdir(parents=True, exist_ok=True)
    for control in CONTROL_NODES:
        (node_dir / control).touch()
    controls = tuple(str(node_dir / c) for c in CONTROL_NODES)
    gpus: list[Gpu] = []
    for index, name in enumerate(parse_fake_spec(spec)):
        node = node_dir / f"nvidia{index}"
        node.touch()
        uuid = f"GPU-fake0000-0000-0000-0000-{index:012d}"
        gpus.append(Gpu(index, name, uuid, FAKE_MEMORY, (str(node), *controls)))
    return gpus


def nvml_gpus() -> list[Gpu]:
    """The machine's GPUs through NVML; ``[]`` without the package or the driver."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    try:
        controls = tuple(f"/dev/{c}" for c in CONTROL_NODES if os.path.exists(f"/dev/{c}"))
        found: list[Gpu] = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            name = pynvml.nvmlDeviceGetName(handle)
            uuid = pynvml.nvmlDeviceGetUUID(handle)
            minor = pynvml.nvmlDeviceGetMinorNumber(handle)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            found.append(
                Gpu(
                    index=index,
                    name=short_name(name if isinstance(name, str) else name.decode()),
                    uuid=uuid if isinstance(uuid, str) else uuid.decode(),
                    memory_total=int(memory.total),
                    nodes=(f"/dev/nvidia{minor}", *controls),
                )
            )
        return found
    except pynvml.NVMLError as exc:
        log.warning("NVML could not list the GPUs: %s", exc)
        return []
    finally:
        pynvml.nvmlShutdown()


def discover(fake_spec: str | None, data_dir: Path) -> list[Gpu]:
    if fake_spec:
        return fake_gpus(fake_spec, data_dir / "fake-gpu-nodes")
    return nvml_gpus()


def runtime_env(gpu: Gpu | None) -> dict[str, str]:
    """What a runtime's processes see: only their GPU (by UUID, so indexes cannot mislead),
    or none at all for a CPU runtime."""
    if gpu is None:
        return {"CUDA_VISIBLE_DEVICES": "", "NVIDIA_VISIBLE_DEVICES": "void"}
    return {
        "CUDA_VISIBLE_DEVICES": gpu.uuid,
        "NVIDIA_VISIBLE_DEVICES": gpu.uuid,
        "CLOUDBOOK_GPU_UUID": gpu.uuid,
        "CLOUDBOOK_GPU_NAME": gpu.name,
    }
