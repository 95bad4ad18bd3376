"""Exclusive GPU assignment: one runtime per device, a first-come queue when none is free.

A holder is any string (a runtime id, a queue ticket). ``acquire`` hands out a free
device of the asked model (any model for ``None``) or waits in line; ``release``
gives the device to the first waiter that fits. Everything runs on the event loop:
no locks, no threads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from cloudbook.runtimes.gpus import Gpu


@dataclass
class _Waiter:
    holder: str
    gpu_type: str | None
    future: asyncio.Future[Gpu] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class NoSuchGpuType(ValueError):
    pass


class GpuAllocator:
    def __init__(self, gpus: list[Gpu]) -> None:
        self.gpus = list(gpus)
        self._held: dict[str, Gpu] = {}  # holder -> device
        self._queue: list[_Waiter] = []

    # --- what there is ------------------------------------------------------------

    @property
    def types(self) -> list[str]:
        return sorted({g.name for g in self.gpus})

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per model: (free, total)."""
        busy = {g.uuid for g in self._held.values()}
        out: dict[str, tuple[int, int]] = {}
        for g in self.gpus:
            free, total = out.get(g.name, (0, 0))
            out[g.name] = (free + (g.uuid not in busy), total + 1)
        return out

    def check_type(self, gpu_type: str | None) -> None:
        if gpu_type is not None and gpu_type not in self.types:
            offered = ", ".join(self.types) or "none"
            raise NoSuchGpuType(f"No {gpu_type} GPU here (this service has: {offered}).")

    def held_by(self, holder: str) -> Gpu | None:
        return self._held.get(holder)

    def position(self, holder: str) -> int | None:
        """1 for the next in line; None when not waiting."""
        for i, w in enumerate(self._queue):
            if w.holder == holder:
                return i + 1
        return None

    # --- taking and giving back ---------------------------------------------------

    def _free(self, gpu_type: str | None) -> Gpu | None:
        busy = {g.uuid for g in self._held.values()}
        for g in self.gpus:
            if g.uuid not in busy and (gpu_type is None or g.name == gpu_type):
                return g
        return None

    def try_acquire(self, holder: str, gpu_type: str | None) -> Gpu | None:
        self.check_type(gpu_type)
        if holder in self._held:
            return self._held[holder]
        # Nobody jumps the queue: a free device goes to a waiter first (see release).
        gpu = self._free(gpu_type)
        if gpu is not None:
            self._held[holder] = gpu
        return gpu

    async def acquire(self, holder: str, gpu_type: str | None) -> Gpu:
        """A device for ``holder``, waiting in line for one if needed (cancel to leave)."""
        gpu = self.try_acquire(holder, gpu_type)
        if gpu is not None:
            return gpu
        waiter = _Waiter(holder, gpu_type)
        self._queue.append(waiter)
        try:
            return await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release(holder)  # handed over at the moment we left: give it on
            raise
        finally:
            if waiter in self._queue:
                self._queue.remove(waiter)

    def release(self, holder: str) -> None:
        gpu = self._held.pop(holder, None)
        if gpu is None:
            return
        for waiter in list(self._queue):
            if waiter.future.done():
                continue
            if waiter.gpu_type is None or waiter.gpu_type == gpu.name:
                self._queue.remove(waiter)
                self._held[waiter.holder] = gpu
                waiter.future.set_result(gpu)
                return
