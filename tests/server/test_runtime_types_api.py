"""Runtime types and GPU assignment through the API, on real runtimes with a fake NVML
(two fake T4s whose device nodes are files: binding and CUDA_VISIBLE_DEVICES are real)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.settings import Settings
from tests.processes import runtime_pids
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.timeout(300)
SANDBOXED = shutil.which("bwrap") is not None
PROBE = (
    "import os, json; print(json.dumps({'cuda': os.environ.get('CUDA_VISIBLE_DEVICES'),"
    " 'nodes': sorted(n for n in os.listdir('/dev') if n.startswith('nvidia'))}))"
)


@pytest.fixture
async def gpu_live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 0
    settings.fake_gpus = "T4:2"
    async with live_server(settings) as server:
        yield server


async def new_notebook(http: httpx.AsyncClient, name: str, gpu: bool = True) -> str:
    nb = (await http.post("/api/notebooks", json={"name": name})).json()
    if gpu:
        body = {"accelerator": "gpu", "gpu_type": "T4", "shape": "standard"}
        r = await http.patch(f"/api/notebooks/{nb['id']}/runtime-type", json=body)
        assert r.status_code == 200, r.text
    return str(nb["id"])


async def probe(live: LiveServer, token: str, session: dict[str, str]) -> dict[str, object]:
    url = live.ws_base + session["channels_url"]
    async with KernelConnection(url, {"Authorization": f"Bearer {token}"}) as conn:
        result = await conn.execute(PROBE)
    text = "".join(
        m["content"]["text"] for m in result.iopub if m["header"]["msg_type"] == "stream"
    )
    return dict(json.loads(text))


async def until_session(http: httpx.AsyncClient, notebook_id: str) -> httpx.Response:
    """The notebook's session once it left the GPU line (the release starts it)."""
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        r = await http.get(f"/api/notebooks/{notebook_id}/session")
        if r.status_code != 202 or asyncio.get_running_loop().time() > deadline:
            return r
        await asyncio.sleep(0.2)


async def test_runtime_type_is_stored_as_colab_does_and_bad_input_changes_nothing(
    gpu_live: LiveServer,
) -> None:
    token = await gpu_live.token_for("alice")
    async with gpu_live.client(token) as http:
        types = (await http.get("/api/runtime-types")).json()
        assert types["accelerators"] == ["none", "gpu"]
        assert types["gpus"] == [{"type": "T4", "free": 2, "total": 2}]
        nb = await new_notebook(http, "a.ipynb")
        content = (await http.get(f"/api/notebooks/{nb}")).json()
        meta = content["content"]["metadata"]
        assert meta["accelerator"] == "GPU" and meta["colab"]["gpuType"] == "T4"
        before = content["revision"]
        for bad in (
            {"accelerator": "gpu", "gpu_type": "A100", "shape": "standard"},
            {"accelerator": "none", "gpu_type": "T4", "shape": "standard"},
            {"accelerator": "tpu", "gpu_type": None, "shape": "standard"},
            {"accelerator": "none", "gpu_type": None, "shape": "huge"},
        ):
            r = await http.patch(f"/api/notebooks/{nb}/runtime-type", json=bad)
            assert r.status_code in (400, 422), (bad, r.text)  # 422: schema (project-wide)
            assert r.json()["error"]["message"]
        after = (await http.get(f"/api/notebooks/{nb}")).json()
        assert after["revision"] == before
        assert (await http.get(f"/api/notebooks/{nb}/runtime-type")).json()["gpu_type"] == "T4"
    bob = await gpu_live.token_for("bob")
    async with gpu_live.client(bob) as http:
        body = {"accelerator": "none", "gpu_type": None, "shape": "standard"}
        r = await http.patch(f"/api/notebooks/{nb}/runtime-type", json=body)
        assert r.status_code == 404


async def test_two_gpus_three_notebooks_one_waits_then_gets_the_released_gpu(
    gpu_live: LiveServer,
) -> None:
    token = await gpu_live.token_for("alice")
    async with gpu_live.client(token) as http:
        nbs = [await new_notebook(http, f"g{i}.ipynb") for i in range(3)]
        sessions = []
        for nb in nbs[:2]:
            r = await http.post(f"/api/notebooks/{nb}/session")
            assert r.status_code == 200, r.text
            assert (r.json()["accelerator"], r.json()["gpu_type"]) == ("gpu", "T4")
            sessions.append(r.json())
        seen = [await probe(gpu_live, token, s) for s in sessions]
        assert seen[0]["cuda"] != seen[1]["cuda"]  # exclusive: different devices
        if SANDBOXED:  # only the runtime's own device node (and the control nodes)
            own = [[n for n in s["nodes"] if n[len("nvidia") :].isdigit()] for s in seen]  # type: ignore[union-attr]
            assert len(own[0]) == len(own[1]) == 1 and own[0] != own[1]
            assert "nvidiactl" in seen[0]["nodes"]  # type: ignore[operator]
        assert (await http.get("/api/runtime-types")).json()["gpus"][0]["free"] == 0
        r = await http.get(f"/api/runtimes/{sessions[0]['runtime_id']}/resources")
        assert [g["name"] for g in r.json()["gpus"]] == ["T4"]

        third = nbs[2]
        r = await http.post(f"/api/notebooks/{third}/session")
        assert r.status_code == 409 and r.json()["error"]["code"] == "gpu_unavailable"
        assert "Wait for one" in r.json()["error"]["message"]
        r = await http.post(f"/api/notebooks/{third}/session", json={"on_no_gpu": "wait"})
        assert r.status_code == 202, r.text
        assert r.json() == {"queued": True, "position": 1, "gpu_type": "T4"}
        assert (await http.get(f"/api/notebooks/{third}/session")).status_code == 202

        assert (await http.delete(f"/api/notebooks/{nbs[0]}/session")).status_code == 204
        r = await until_session(http, third)
        assert r.status_code == 200, r.text
        assert (await probe(gpu_live, token, r.json()))["cuda"] == seen[0]["cuda"]

        # Changing the type disconnects; a GPU notebook may also choose the CPU this time.
        body = {"accelerator": "none", "gpu_type": None, "shape": "standard"}
        r = await http.patch(f"/api/notebooks/{nbs[1]}/runtime-type", json=body)
        assert r.json()["disconnected"] is True
        assert (await http.get(f"/api/notebooks/{nbs[1]}/session")).status_code == 404
        assert (await http.get("/api/runtime-types")).json()["gpus"][0]["free"] == 1
        fourth = await new_notebook(http, "g4.ipynb")
        assert (await http.post(f"/api/notebooks/{fourth}/session")).status_code == 200
        fifth = await new_notebook(http, "g5.ipynb")
        r = await http.post(f"/api/notebooks/{fifth}/session", json={"on_no_gpu": "cpu"})
        assert r.status_code == 200 and r.json()["accelerator"] == "none"
        cpu = await probe(gpu_live, token, r.json())
        assert cpu["cuda"] == ""
        if SANDBOXED:
            assert cpu["nodes"] == []


async def test_gpu_of_a_runtime_that_died_is_released(settings: Settings) -> None:
    settings.pool_size = 0
    settings.fake_gpus = "T4"
    settings.reap_interval = 0.2
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        async with live.client(token) as http:
            nb = await new_notebook(http, "dies.ipynb")
            session = (await http.post(f"/api/notebooks/{nb}/session")).json()
            assert (await http.get("/api/runtime-types")).json()["gpus"][0]["free"] == 0
            for pid in runtime_pids({session["runtime_id"]}):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # the runtime dies (OOM, a crash)
            deadline = asyncio.get_running_loop().time() + 60
            while (await http.get("/api/runtime-types")).json()["gpus"][0]["free"] == 0:
                assert asyncio.get_running_loop().time() < deadline, "GPU never released"
                await asyncio.sleep(0.1)
            assert (await http.get(f"/api/notebooks/{nb}/session")).status_code == 404
            r = await http.post(f"/api/notebooks/{nb}/session")  # the GPU is usable again
            assert r.status_code == 200 and r.json()["gpu_type"] == "T4"


async def test_colab_gpu_notebook_on_a_service_without_gpus(settings: Settings) -> None:
    settings.pool_size = 0
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        async with live.client(token) as http:
            assert (await http.get("/api/runtime-types")).json()["accelerators"] == ["none"]
            colab = {"accelerator": "GPU", "colab": {"gpuType": "T4"}}
            content = {"nbformat": 4, "nbformat_minor": 5, "metadata": colab, "cells": []}
            r = await http.post("/api/notebooks", json={"name": "c.ipynb", "content": content})
            nb = r.json()["id"]
            body = {"accelerator": "gpu", "gpu_type": None, "shape": "standard"}
            r = await http.patch(f"/api/notebooks/{nb}/runtime-type", json=body)
            assert r.status_code == 400 and r.json()["error"]["code"] == "no_gpus"
            for choice in ("fail", "wait"):  # nothing to wait for: never queued
                r = await http.post(f"/api/notebooks/{nb}/session", json={"on_no_gpu": choice})
                assert r.status_code == 409 and r.json()["error"]["code"] == "no_gpus"
            r = await http.post(f"/api/notebooks/{nb}/session", json={"on_no_gpu": "cpu"})
            assert r.status_code == 200 and r.json()["accelerator"] == "none"


async def test_warm_pools_per_type_hand_out_their_runtimes(settings: Settings) -> None:
    """CLOUDBOOK_POOL=cpu:1,gpu:1: a GPU notebook gets the warm GPU runtime, a CPU one
    the warm CPU runtime, and each pool refills with its own kind."""
    settings.pool_size = 0
    settings.pool = "cpu:1,gpu:1"
    settings.fake_gpus = "T4:2"
    async with live_server(settings) as live:
        manager = live.services.runtimes
        await manager.wait_pool_ready(timeout=90)
        warm_gpu = manager._pools["gpu"][0].runtime.runtime_id
        warm_cpu = manager._pools["cpu"][0].runtime.runtime_id
        token = await live.token_for("alice")
        async with live.client(token) as http:
            # A warm GPU runtime's GPU counts as free: any notebook may have it.
            assert (await http.get("/api/runtime-types")).json()["gpus"] == [
                {"type": "T4", "free": 2, "total": 2}
            ]
            gpu_nb = await new_notebook(http, "g.ipynb")
            r = await http.post(f"/api/notebooks/{gpu_nb}/session")
            assert r.status_code == 200, r.text
            assert (r.json()["runtime_id"], r.json()["accelerator"]) == (warm_gpu, "gpu")
            gpu_seen = await probe(live, token, r.json())
            cpu_nb = await new_notebook(http, "c.ipynb", gpu=False)
            r = await http.post(f"/api/notebooks/{cpu_nb}/session")
            assert (r.json()["runtime_id"], r.json()["accelerator"]) == (warm_cpu, "none")
            assert (await probe(live, token, r.json()))["cuda"] == ""
            # Each pool refills with its kind: the second T4 is now held by a warm runtime.
            await manager.wait_pool_ready(timeout=90)
            refilled = manager._pools["gpu"][0]
            assert refilled.runtime.runtime_id != warm_gpu and refilled.gpu is not None
            assert refilled.gpu.uuid != gpu_seen["cuda"]
            assert manager._pools["cpu"][0].runtime.runtime_id != warm_cpu
            assert (await http.get("/api/runtime-types")).json()["gpus"][0]["free"] == 1
