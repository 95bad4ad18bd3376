"""`python -m bench.gpu_session`: new session -> first `1+1` result on a GPU runtime from
the warm pool (CLOUDBOOK_POOL=cpu:1,gpu:1, two fake GPUs: the fake NVML), beside the
same on a CPU runtime from its pool and a GPU runtime started cold (no GPU pool).

The fake NVML only stands in for discovery: assignment, device binding into the sandbox
and CUDA_VISIBLE_DEVICES run as they do on a GPU host; what a real driver adds to a
kernel start (CUDA context creation happens on first use, not at start) is not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.__main__ import wait_pool
from bench.procs import BIN, add_user_with_token, free_port, process, wait_http
from cloudbook.runtimes.kernel_client import KernelConnection

GPU = {"accelerator": "gpu", "gpu_type": None, "shape": "standard"}


async def first_result(
    http: httpx.AsyncClient, port: int, auth: dict[str, str], gpu: bool
) -> float:
    nb = (await http.post("/api/notebooks", json={"name": f"b{time.monotonic_ns()}.ipynb"})).json()
    if gpu:
        (await http.patch(f"/api/notebooks/{nb['id']}/runtime-type", json=GPU)).raise_for_status()
    t0 = time.perf_counter()
    r = await http.post(f"/api/notebooks/{nb['id']}/session")
    r.raise_for_status()
    sess = r.json()
    assert sess["accelerator"] == ("gpu" if gpu else "none"), sess
    url = f"ws://127.0.0.1:{port}{sess['channels_url']}"
    async with KernelConnection(url, auth, protocol="v1") as conn:
        await conn.execute("1+1")
        took = time.perf_counter() - t0
    (await http.delete(f"/api/notebooks/{nb['id']}/session")).raise_for_status()
    return took


async def measure(work: Path, pool: str, runs: int, gpu: bool, warm: bool) -> list[float]:
    data = work / f"cb-{pool.replace(':', '').replace(',', '-')}"
    token = add_user_with_token(data, "bench", "bench-password")
    port = free_port()
    env = {"CLOUDBOOK_FAKE_GPUS": "T4:2", "CLOUDBOOK_POOL": pool}
    cmd = [
        str(BIN / "cloudbook"),
        "serve",
        "--no-browser",
        "--port",
        str(port),
        "--data-dir",
        str(data),
    ]
    auth = {"Authorization": f"Bearer {token}"}
    times = []
    with process(cmd, env=env):
        wait_http(f"http://127.0.0.1:{port}/")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=120
        ) as http:
            for _ in range(runs):
                if warm:
                    await wait_pool(http)
                times.append(await first_result(http, port, auth, gpu))
    return times


async def main(runs: int) -> None:
    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f})"

    with tempfile.TemporaryDirectory(prefix="cb-gpu-bench-") as tmp:
        work = Path(tmp)
        gpu_warm = await measure(work, "cpu:1,gpu:1", runs, gpu=True, warm=True)
        cpu_warm = await measure(work, "cpu:1,gpu:0", runs, gpu=False, warm=True)
        gpu_cold = await measure(work, "cpu:0,gpu:0", max(2, runs // 2), gpu=True, warm=False)
    print(f"| new session -> first 1+1 (median of {runs}) | value | note |")
    print("| --- | --- | --- |")
    print(f"| GPU runtime, warm pool (fake NVML) | {ms(gpu_warm)} | target <= 150 ms |")
    print(f"| CPU runtime, warm pool | {ms(cpu_warm)} | the same path without a GPU |")
    print(f"| GPU runtime, no pool (cold start) | {ms(gpu_cold)} | what the pool saves |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_session")
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
