"""What the runtime manager hands out: an assigned runtime, or a place in the GPU line."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal, Protocol

from cloudbook.runtimes.gpus import Gpu
from cloudbook.runtimes.provider import Runtime
from cloudbook.runtimes.runtime_types import CPU, RuntimeType
from cloudbook.services.errors import Unavailable

# No GPU free for a GPU notebook: fail (409), wait in line, or use the CPU this time.
OnNoGpu = Literal["fail", "wait", "cpu"]


class ActivitySource(Protocol):
    """What the kernel proxy tells the reaper."""

    def last_activity(self, runtime_id: str) -> float | None: ...
    def has_clients(self, runtime_id: str) -> bool: ...
    async def close_runtime(self, runtime_id: str) -> None: ...


@dataclass
class ManagedRuntime:
    runtime: Runtime
    kernel_id: str
    owner_id: int | None = None
    notebook_id: str | None = None
    assigned_at: float = field(default_factory=time.monotonic)
    rtype: RuntimeType = CPU
    gpu: Gpu | None = None
    # A Jupyter server the user runs (attach by URL): we never stop it, only our kernel.
    attached: bool = False
    # Another replica holds it (its URL): kernel WebSockets are forwarded there.
    held_by: str | None = None

    @property
    def id(self) -> str:
        return self.runtime.runtime_id


@dataclass
class Queued:
    """A notebook waiting in line for a GPU."""

    position: int
    gpu_type: str | None


class GpuUnavailable(Unavailable):
    status = 409
    code = "gpu_unavailable"

    @classmethod
    def for_type(cls, rtype: RuntimeType, service_has_gpus: bool) -> GpuUnavailable:
        if not service_has_gpus:  # nothing to wait for
            return cls(
                "This service has no GPUs. Connect without a GPU, or change the runtime type.",
                code="no_gpus",
            )
        model = f"{rtype.gpu_type} " if rtype.gpu_type else ""
        return cls(f"No {model}GPU is free right now. Wait for one, or connect without a GPU.")
