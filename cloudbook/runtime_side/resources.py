"""Resource figures of a runtime: memory of its processes, disk of /content, GPUs via NVML.

Importable and callable on machines without GPUs or NVIDIA drivers (``gpus`` is
then ``[]``); no NVIDIA Python package is needed, NVML is loaded with ctypes.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import threading
from typing import Any

MARKER = "CLOUDBOOK_RUNTIME_ID"
NVML_SUCCESS = 0


def _runtime_processes() -> list[Any]:
    """This server, its descendants, and every process carrying this runtime's marker.

    The marker also finds what left the process tree (``nohup cmd &``, daemons). In a
    sandbox the pid namespace holds only this runtime, so that scan is short.
    """
    import psutil

    me = psutil.Process(os.getpid())
    procs = {p.pid: p for p in [me, *me.children(recursive=True)]}
    runtime_id = os.environ.get(MARKER)
    if runtime_id:
        for p in psutil.process_iter():
            if p.pid in procs:
                continue
            try:
                if p.environ().get(MARKER) == runtime_id:
                    procs[p.pid] = p
            except psutil.Error:
                pass
    return list(procs.values())


def memory_used() -> int:
    import psutil

    total = 0
    for p in _runtime_processes():
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


class _Memory(ctypes.Structure):
    _fields_ = [
        ("total", ctypes.c_ulonglong),
        ("free", ctypes.c_ulonglong),
        ("used", ctypes.c_ulonglong),
    ]


class _Utilization(ctypes.Structure):
    _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]


class _Nvml:
    """NVML, initialised once per process: ``nvmlInit`` can take a second without
    persistence mode, far too slow to repeat on every poll of the resources bar."""

    def __init__(self) -> None:
        self._lib: ctypes.CDLL | None = None
        self._tried = False
        self._lock = threading.Lock()

    def lib(self) -> ctypes.CDLL | None:
        with self._lock:
            if not self._tried:
                self._tried = True
                try:
                    lib = ctypes.CDLL("libnvidia-ml.so.1")
                    if lib.nvmlInit_v2() == NVML_SUCCESS:
                        self._lib = lib
                except (OSError, AttributeError):
                    self._lib = None
            return self._lib


_NVML = _Nvml()


def _fake_gpu() -> list[dict[str, Any]]:
    """The service runs with fake GPUs (tests, benchmarks): the runtime's one device."""
    return [
        {
            "name": os.environ.get("CLOUDBOOK_GPU_NAME", "GPU"),
            "memory_used": 0,
            "memory_total": int(os.environ.get("CLOUDBOOK_FAKE_NVML", "0") or 0),
            "utilization": 0,
        }
    ]


def gpus() -> list[dict[str, Any]]:
    """The runtime's GPU (only the assigned one, by UUID, when the service says which)."""
    if os.environ.get("CLOUDBOOK_FAKE_NVML"):
        return _fake_gpu()
    nvml = _NVML.lib()
    if nvml is None:
        return []
    wanted = os.environ.get("CLOUDBOOK_GPU_UUID")
    found: list[dict[str, Any]] = []
    count = ctypes.c_uint()
    if nvml.nvmlDeviceGetCount_v2(ctypes.byref(count)) != NVML_SUCCESS:
        return []
    for i in range(count.value):
        handle = ctypes.c_void_p()
        if nvml.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(i), ctypes.byref(handle)) != 0:
            continue
        if wanted:
            uuid = ctypes.create_string_buffer(96)
            nvml.nvmlDeviceGetUUID(handle, uuid, ctypes.c_uint(len(uuid)))
            if uuid.value.decode(errors="replace") != wanted:
                continue
        name = ctypes.create_string_buffer(96)
        nvml.nvmlDeviceGetName(handle, name, ctypes.c_uint(len(name)))
        mem = _Memory()
        if nvml.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem)) != NVML_SUCCESS:
            continue
        util = _Utilization()
        if nvml.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(util)) != NVML_SUCCESS:
            util.gpu = 0
        found.append(
            {
                "name": name.value.decode(errors="replace"),
                "memory_used": int(mem.used),
                "memory_total": int(mem.total),
                "utilization": int(util.gpu),  # percent of time a kernel ran, last sample
            }
        )
    return found


def resources(root: str) -> dict[str, Any]:
    """``{"memory": {"used", "total"}, "disk": {"used", "total"}, "gpus": [...]}`` in bytes."""
    import psutil

    disk = shutil.disk_usage(root)
    return {
        "memory": {"used": memory_used(), "total": int(psutil.virtual_memory().total)},
        "disk": {"used": int(disk.used), "total": int(disk.total)},
        "gpus": gpus(),
    }
