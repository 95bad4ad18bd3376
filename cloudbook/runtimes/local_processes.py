"""A local runtime's processes: how they are marked, found, killed and reaped.

Every process of a runtime carries ``MARKER=<runtime id>`` in its environment: that is how
leftovers are found (kernels run in sessions of their own, and so may a user's
``setsid nohup …``) and how a recycled pid is told apart from the runtime's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

MARKER = "CLOUDBOOK_RUNTIME_ID"
PR_SET_PDEATHSIG = 1
STOP_GRACE = 3.0  # seconds between SIGTERM and SIGKILL


def die_with_parent() -> None:
    # Unsandboxed (no bwrap --die-with-parent): a SIGKILLed service takes its runtimes along.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def reap(proc: subprocess.Popen[bytes], timeout: float = 5) -> None:
    """Wait for a killed child; one slow to exit (a busy host tearing down its mounts) is
    reaped by a thread, never dropped unreaped."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()


def kill_late_slirp(started: asyncio.Future[subprocess.Popen[bytes]]) -> None:
    if started.cancelled() or started.exception() is not None:
        return
    slirp = started.result()
    with contextlib.suppress(OSError):
        slirp.kill()
    threading.Thread(target=slirp.wait, name=f"reap-{slirp.pid}", daemon=True).start()


def carries_marker(pid: int, runtime_id: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{MARKER}={runtime_id}".encode() in environ.split(b"\0")


def runtime_pids(runtime_id: str) -> list[int]:
    """Live processes (not this one) carrying the runtime's marker, in host pids."""
    me = os.getpid()
    return [
        int(e.name)
        for e in Path("/proc").iterdir()
        if e.name.isdigit() and int(e.name) != me and carries_marker(int(e.name), runtime_id)
    ]


def kill_runtime(runtime_id: str, pid: int | None, proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the runtime's process group, SIGKILL after a grace period, then
    SIGKILL to whatever still carries its marker (kernels run in sessions of their
    own; a user's ``setsid nohup …`` too)."""
    if proc is not None:
        # Once reaped its pid may be recycled: signal the group only while it is ours.
        pid = proc.pid if proc.poll() is None else None
    elif pid is not None and not carries_marker(pid, runtime_id):
        pid = None  # gone, or the pid now belongs to someone else: never signal it
    if pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline and _alive(pid, proc, runtime_id):
            time.sleep(0.02)
        if proc is None or proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
    for _ in range(100):
        left = runtime_pids(runtime_id)
        if not left:
            break
        for p in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGKILL)
        time.sleep(0.05)
    if proc is not None:
        reap(proc)


def _alive(pid: int, proc: subprocess.Popen[bytes] | None, runtime_id: str) -> bool:
    if proc is not None:
        return proc.poll() is None
    return carries_marker(pid, runtime_id)
