"""What runtime limits cost: the bounded disk at runtime start/stop, and the output cap
per kernel message in the proxy (against passing the frame through untouched).

    python -m bench.limits
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from cloudbook.runtimes.disk import disk_mechanism, prepare_disk, release_disk
from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL, encode_v1
from cloudbook.server.kernel_proxy.output_cap import OutputCap


def v1_frame(msg_type: str, content: dict[str, object], parent_id: str) -> bytes:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "s", "version": "5.3"}
    parent = {"msg_id": parent_id, "msg_type": "execute_request", "session": "s"}
    parts = [json.dumps(x).encode() for x in (header, parent, {}, content)]
    return encode_v1("iopub", parts)


def bench_cap(n: int = 20_000) -> dict[str, float]:
    cap = OutputCap(8 * 1024 * 1024, 32 * 1024 * 1024, V1_SUBPROTOCOL)
    frames = {
        "stream 100 B": v1_frame("stream", {"name": "stdout", "text": "x" * 100}, "p"),
        "execute_reply-like (not output)": v1_frame("comm_msg", {"data": {}}, "p"),
        "status": v1_frame("status", {"execution_state": "busy"}, "p"),
    }
    out: dict[str, float] = {}
    for name, frame in frames.items():
        started = time.perf_counter()
        for _ in range(n):
            for _f in cap.apply(frame):
                pass
        out[name] = (time.perf_counter() - started) / n * 1e6
    return out


def bench_disk(rounds: int = 5) -> dict[str, float] | None:
    if disk_mechanism() == "none":
        return None
    prepare, release = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "runtime"
        for _ in range(rounds):
            t0 = time.perf_counter()
            prepare_disk(folder, 50 * 1024**3)
            t1 = time.perf_counter()
            release_disk(folder)
            shutil.rmtree(folder)
            release.append(time.perf_counter() - t1)
            prepare.append(t1 - t0)
    return {
        "prepare ms": statistics.median(prepare) * 1000,
        "release ms": statistics.median(release) * 1000,
    }


def main() -> None:
    for name, micros in bench_cap().items():
        print(f"output cap, {name}: {micros:.1f} µs per frame")
    disk = bench_disk()
    if disk is None:
        print("bounded disk: not available here (needs root and loop devices)")
    else:
        print(f"bounded disk (50 GiB sparse ext4): {disk}")


if __name__ == "__main__":
    main()
