"""Resource figures of a runtime: memory of its processes, disk of /content, GPUs via NVML."""

from __future__ import annotations

import ctypes
import os
import shutil
from typing import Any


def _process_tree_rss() -> int:
    import psutil

    me = psutil.Process(os.getpid())
    total = 0
    for p in [me, *me.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def gpus() -> list[dict[str, Any]]:
    try:
        nvml = ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        return []

    class Memory(ctypes.Structure):
        _fields_ = [
            ("total", ctypes.c_ulonglong),
            ("free", ctypes.c_ulonglong),
            ("used", ctypes.c_ulonglong),
        ]

    class Utilization(ctypes.Structure):
        _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

    if nvml.nvmlInit_v2() != 0:
        return []
    found = []
    try:
        count = ctypes.c_uint()
        nvml.nvmlDeviceGetCount_v2(ctypes.byref(count))
        for i in range(count.value):
            handle = ctypes.c_void_p()
            if nvml.nvmlDeviceGetHandleByIndex_v2(i, ctypes.byref(handle)) != 0:
                continue
            name = ctypes.create_string_buffer(96)
            nvml.nvmlDeviceGetName(handle, name, 96)
            mem = Memory()
            nvml.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem))
            util = Utilization()
            nvml.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(util))
            found.append(
                {
                    "name": name.value.decode(errors="replace"),
                    "memory_used": mem.used,
                    "memory_total": mem.total,
                    "utilization": util.gpu,
                }
            )
    finally:
        nvml.nvmlShutdown()
    return found


def resources(root: str) -> dict[str, Any]:
    import psutil

    disk = shutil.disk_usage(root)
    return {
        "memory": {"used": _process_tree_rss(), "total": psutil.virtual_memory().total},
        "disk": {"used": disk.used, "total": disk.total},
        "gpus": gpus(),
    }
