"""`python -m bench.gpu_check`: what only a machine with NVIDIA GPUs can check.

NOT RUN by the branch that wrote it (no GPU machine was available); everything it
relies on was tested against a fake NVML. On a GPU host (driver, NVML, and `torch` with
CUDA in the service's environment, or --pip-torch to install it into each runtime):

1. `cloudbook serve` discovers the GPUs through NVML; `GET /api/runtime-types` lists them;
2. two GPU notebooks get two runtimes on *different* GPUs (exclusive assignment), each
   sees exactly one (`torch.cuda.device_count() == 1`), and `nvidia-smi -L` works inside
   and lists only that runtime's GPU;
3. the resources bar's route reports that GPU's memory;
4. `bench/gpu_convolution.ipynb` (the seed's CPU-vs-GPU convolution, in torch) runs
   headless with `cloudbook run --require-gpu` and prints the speed-up.

Exit status 0 when every check passed; each check prints what it saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.procs import BIN, add_user_with_token, free_port, process, wait_http
from cloudbook.runtimes.kernel_client import KernelConnection

HERE = Path(__file__).resolve().parent
PROBE = (
    "import json, subprocess, torch\n"
    "smi = subprocess.run(['nvidia-smi', '-L'], capture_output=True, text=True)\n"
    "print(json.dumps({'count': torch.cuda.device_count(),"
    " 'name': torch.cuda.get_device_name(0), 'smi': smi.stdout.strip(),"
    " 'smi_status': smi.returncode}))"
)
GPU = {"accelerator": "gpu", "gpu_type": None, "shape": "standard"}


def stdout_of(result: object) -> str:
    return "".join(
        m["content"].get("text", "")
        for m in result.iopub  # type: ignore[attr-defined]
        if m["header"]["msg_type"] == "stream"
    )


async def two_runtimes(base: str, port: int, auth: dict[str, str], pip_torch: bool) -> bool:
    ok = True
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=600) as http:
        types = (await http.get("/api/runtime-types")).json()
        print("runtime types:", types)
        total = sum(g["total"] for g in types["gpus"])
        if total == 0:
            print("FAIL: NVML found no GPU")
            return False
        seen = []
        for i in range(min(2, total)):
            nb = (await http.post("/api/notebooks", json={"name": f"gpu{i}.ipynb"})).json()
            (
                await http.patch(f"/api/notebooks/{nb['id']}/runtime-type", json=GPU)
            ).raise_for_status()
            sess = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
            url = f"ws://127.0.0.1:{port}{sess['channels_url']}"
            async with KernelConnection(url, auth, protocol="v1") as conn:
                if pip_torch:
                    await asyncio.wait_for(conn.execute("%pip install -q torch"), 1800)
                result = await asyncio.wait_for(conn.execute(PROBE), 600)
            try:
                seen.append(json.loads(stdout_of(result).strip().splitlines()[-1]))
            except (ValueError, IndexError):
                print("FAIL: the probe printed nothing usable:", result.reply)
                return False
            res = (await http.get(f"/api/runtimes/{sess['runtime_id']}/resources")).json()
            print(f"runtime {i}: {seen[-1]} resources.gpus={res['gpus']}")
            ok &= len(res["gpus"]) == 1
        for s in seen:
            ok &= s["count"] == 1 and s["smi_status"] == 0 and len(s["smi"].splitlines()) == 1
        if len(seen) == 2:
            ok &= seen[0]["smi"] != seen[1]["smi"]  # nvidia-smi -L prints the GPU's UUID
        print("two runtimes, one GPU each, different GPUs:", "PASS" if ok else "FAIL")
    return ok


def convolution(work: Path) -> bool:
    out = work / "conv.out.ipynb"
    result = subprocess.run(
        [
            str(BIN / "cloudbook"),
            "run",
            str(HERE / "gpu_convolution.ipynb"),
            "--require-gpu",
            "-o",
            str(out),
            "--data-dir",
            str(work / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(result.stderr[-2000:])
    if result.returncode != 0 or not out.exists():
        print("convolution notebook: FAIL")
        return False
    for cell in json.loads(out.read_text())["cells"]:
        for o in cell.get("outputs", []):
            print("".join(o.get("text", "")), end="")
    print("convolution notebook: PASS")
    return True


async def main(pip_torch: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="cb-gpu-check-") as tmp:
        work = Path(tmp)
        data = work / "cb"
        token = add_user_with_token(data, "check", "check-password")
        port = free_port()
        cmd = [
            str(BIN / "cloudbook"),
            "serve",
            "--no-browser",
            "--port",
            str(port),
            "--data-dir",
            str(data),
        ]
        with process(cmd, env={"CLOUDBOOK_POOL": "cpu:0,gpu:0"}):
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/")
            ok = await two_runtimes(base, port, {"Authorization": f"Bearer {token}"}, pip_torch)
        ok &= convolution(work)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_check")
    parser.add_argument(
        "--pip-torch", action="store_true", help="pip install torch in each runtime"
    )
    sys.exit(asyncio.run(main(parser.parse_args().pip_torch)))
