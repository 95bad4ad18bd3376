"""`python -m bench.images`: runtime images (docs/runtime-images.md).

- build time of a manifest from a cold wheel cache (empty wheelhouse, pip's own cache
  off) and a warm one (the wheelhouse of the first build);
- on a built image: runtime start, first result, and taking a warm runtime (session
  to first result, ≤ 150 ms is the goal);
- ``import X`` in a fresh cloudbook kernel on the image against the same import in a
  plain Jupyter kernel (ipykernel) of the image's interpreter, outside cloudbook (what
  a plain venv with JupyterLab gives: the ratio is the target, no slower), and in that
  interpreter run bare (no kernel: what any kernel, Colab's included, adds on top).

    python -m bench.images --manifest colab --images ~/.cache/cloudbook/images --no-build
    python -m bench.images --manifest colab --images ~/.cache/cloudbook/images --builds warm
    python -m bench.images --manifest minimal          # cold and warm builds too
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cloudbook.images import manifest
from cloudbook.images.build import Build
from cloudbook.images.store import Image, ImageStore
from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.settings import Settings

IMPORT = "import time as _t; _s = _t.perf_counter(); import {m}; print(_t.perf_counter() - _s)"


def timed_build(wanted: manifest.Manifest, store: ImageStore, cold: bool) -> float:
    saved = os.environ.get("PIP_NO_CACHE_DIR")
    if cold:
        os.environ["PIP_NO_CACHE_DIR"] = "1"
    try:
        start = time.perf_counter()
        Build(wanted, store).run()
        return time.perf_counter() - start
    finally:
        if cold and saved is None:
            os.environ.pop("PIP_NO_CACHE_DIR", None)


def bare_import(image: Image, module: str) -> float:
    out = subprocess.run(
        [image.python, "-c", IMPORT.format(m=module)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


async def plain_kernel_import(image: Image, module: str) -> float:
    """``import module`` in a fresh ipykernel started by jupyter_client from the image's
    interpreter: no sandbox, no cloudbook extension, no layered package space."""
    from jupyter_client.manager import AsyncKernelManager

    with tempfile.TemporaryDirectory() as specs:
        spec = Path(specs) / "kernels" / "plain"
        spec.mkdir(parents=True)
        argv = [image.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
        saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = specs
        try:
            km = AsyncKernelManager(kernel_name="plain")
            await km.start_kernel(env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            msg_id = kc.execute(IMPORT.format(m=module))
            text = ""
            while True:
                msg = await kc.get_iopub_msg(timeout=300)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream" and msg["content"]["name"] == "stdout":
                    text += msg["content"]["text"]
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            return float(text.split()[-1])
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)


async def in_cloudbook(
    images: Path, name: str, modules: list[str], repeat: int
) -> tuple[dict[str, float], dict[str, list[tuple[float, float, float]]]]:
    """The warm runtime's first result, and for each module ``repeat`` triples (import in
    a fresh cloudbook kernel, then in a plain kernel, then in the bare interpreter):
    interleaved, so the three meet the same machine load."""
    from tests.server.live import live_server

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), pool_size=1, open_browser=False, runtime_image=name,
            images_path=images, image_autobuild=False, runtime_start_timeout=180,
        )  # fmt: skip
        async with live_server(settings) as live:
            start = time.perf_counter()
            await live.services.runtimes.wait_pool_ready(timeout=300)
            figures["runtime start (warm pool filled), s"] = time.perf_counter() - start
            token = await live.token_for("bench")
            pairs: dict[str, list[tuple[float, float, float]]] = {m: [] for m in modules}
            rounds = [None, *(m for _ in range(repeat) for m in modules)]
            image = ImageStore(images).current(name)
            assert image is not None
            for i, module in enumerate(rounds):
                async with live.client(token) as http:
                    body = {"name": f"bench-{i}.ipynb"}
                    nb = (await http.post("/api/notebooks", json=body)).json()
                    await live.services.runtimes.wait_pool_ready(timeout=300)
                    t = time.perf_counter()
                    session = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                    ws = live.ws_base + session["channels_url"]
                    async with KernelConnection(ws, {"Authorization": f"Bearer {token}"}) as c:
                        if module is None:
                            await c.execute("1+1")
                            figures["warm runtime: session to first result, ms"] = (
                                time.perf_counter() - t
                            ) * 1000
                        else:
                            # Not beside the warm pool's refill (a runtime starting on
                            # the same cores): the import alone.
                            await live.services.runtimes.wait_pool_ready(timeout=300)
                            r = await c.execute(IMPORT.format(m=module))
                            text = "".join(
                                m["content"].get("text", "")
                                for m in r.iopub
                                if m["header"]["msg_type"] == "stream"
                            )
                            kernel = float(text.split()[-1])
                    await http.delete(f"/api/notebooks/{nb['id']}/session")
                    if module is not None:
                        await live.services.runtimes.wait_pool_ready(timeout=300)
                        plain = await plain_kernel_import(image, module)
                        bare = await asyncio.to_thread(bare_import, image, module)
                        pairs[module].append((kernel, plain, bare))
    return figures, pairs


def recorded_build(store: ImageStore, name: str) -> float | None:
    """The duration of the build that made the store's current image (its status)."""
    status = store.read_status(name) or {}
    if status.get("state") != "ready" or not status.get("finished_at"):
        return None
    return float(status["finished_at"]) - float(status["started_at"])


def warm_build(wanted: manifest.Manifest, images: Path, scratch: Path) -> float:
    """A build into a fresh store whose wheelhouse is (hard links to) ``images``'s: the
    image built again as on a second machine sharing the wheel cache."""
    store = ImageStore(scratch / "warm")
    store.root.mkdir(parents=True)
    subprocess.run(
        ["cp", "-al", str(ImageStore(images).wheelhouse), str(store.wheelhouse)], check=True
    )
    return timed_build(wanted, store, cold=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", default="minimal")
    parser.add_argument("--images", type=Path, default=None, help="a store with it built")
    parser.add_argument(
        "--builds",
        default="cold,warm",
        help="cold,warm: both in a scratch store (or --images); warm: only the warm one, "
        "seeded from --images' wheelhouse, the cold figure read from its last build; none",
    )
    parser.add_argument("--no-build", action="store_true", help="the same as --builds none")
    parser.add_argument("--imports", default="torch,tensorflow")
    parser.add_argument("--repeat", type=int, default=5, help="imports timed per module")
    args = parser.parse_args()
    builds = set() if args.no_build else set(args.builds.split(",")) - {"none", ""}
    wanted = manifest.load(args.manifest)
    rows: list[tuple[str, str]] = []
    images = args.images
    scratch = Path(tempfile.mkdtemp(prefix="bench-images-"))
    label = f"build {wanted.name} ({len(wanted.packages)} pkgs)"
    cold: float | None = None
    warm: float | None = None
    if "cold" in builds:
        images = images or scratch / "images"
        store = ImageStore(images)
        cold = timed_build(wanted, store, cold=True)
        if "warm" in builds:
            store.remove(wanted.name)
            warm = timed_build(wanted, store, cold=False)
    elif "warm" in builds:
        assert images is not None, "--builds warm needs --images with the cold build"
        cold = recorded_build(ImageStore(images), wanted.name)
        warm = warm_build(wanted, images, scratch)
        shutil.rmtree(scratch / "warm", ignore_errors=True)
    if cold is not None:
        rows.append((f"{label}, cold wheel cache, s", f"{cold:.1f}"))
    if warm is not None:
        rows.append((f"{label}, warm wheel cache, s", f"{warm:.1f}"))
    if cold is not None and warm is not None:
        rows.append(("cold / warm", f"{cold / warm:.1f}x"))
    for key, value in rows:
        print(f"{key}: {value}", flush=True)
    assert images is not None, "--images or a build"
    image = ImageStore(images).current(wanted.name)
    assert image is not None, f"{wanted.name} is not built in {images}"
    modules = [m for m in args.imports.split(",") if m and m in wanted.packages]
    for module in modules:  # files in the page cache for both sides alike
        bare_import(image, module)
    figures, pairs = asyncio.run(in_cloudbook(images, wanted.name, modules, args.repeat))
    for key, figure in figures.items():
        rows.append((key, f"{figure:.3f}" if "s" == key[-1] else f"{figure:.0f}"))
    for module in modules:
        kernel, plain, bare = (statistics.median(t[i] for t in pairs[module]) for i in range(3))
        rows.append(
            (
                f"import {module}, fresh cloudbook kernel, median of {args.repeat}, s",
                f"{kernel:.3f}",
            )
        )
        rows.append((f"import {module}, plain Jupyter kernel, s", f"{plain:.3f}"))
        rows.append((f"import {module}, bare interpreter (no kernel), s", f"{bare:.3f}"))
        rows.append((f"import {module}: cloudbook / plain kernel", f"{kernel / plain:.2f}x"))
        ratios = sorted(k / p for k, p, _ in pairs[module])
        rows.append((f"import {module}: per-triple ratios", ", ".join(f"{r:.2f}" for r in ratios)))
        rows.append((f"import {module}: cloudbook kernel / bare", f"{kernel / bare:.2f}x"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
