"""GPU assignment with fake devices: exclusive by device, a first-come line, release."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloudbook.runtimes.gpu_allocator import GpuAllocator, NoSuchGpuType
from cloudbook.runtimes.gpus import CONTROL_NODES, fake_gpus, parse_fake_spec, runtime_env


def test_fake_spec_and_nodes(tmp_path: Path) -> None:
    assert parse_fake_spec("T4:2, L4") == ["T4", "T4", "L4"]
    with pytest.raises(ValueError, match="NAME or NAME:COUNT"):
        parse_fake_spec("T4:x")
    gpus = fake_gpus("T4:2", tmp_path)
    assert [g.name for g in gpus] == ["T4", "T4"]
    assert len({g.uuid for g in gpus}) == 2
    # Each device's own node first, then the control nodes, nothing of the other device.
    assert Path(gpus[0].nodes[0]).name == "nvidia0"
    assert [Path(n).name for n in gpus[0].nodes[1:]] == list(CONTROL_NODES)
    assert not any(Path(n).name == "nvidia1" for n in gpus[0].nodes)
    env = runtime_env(gpus[1])
    assert env["CUDA_VISIBLE_DEVICES"] == gpus[1].uuid
    assert runtime_env(None)["CUDA_VISIBLE_DEVICES"] == ""


async def test_two_gpus_three_askers_one_waits(tmp_path: Path) -> None:
    alloc = GpuAllocator(fake_gpus("T4:2", tmp_path))
    first = await alloc.acquire("a", None)
    second = await alloc.acquire("b", "T4")
    assert first.uuid != second.uuid
    assert alloc.counts() == {"T4": (0, 2)}
    third = asyncio.create_task(alloc.acquire("c", None))
    await asyncio.sleep(0)  # let it join the line
    assert alloc.position("c") == 1
    assert not third.done()
    alloc.release("a")
    got = await asyncio.wait_for(third, 5)
    assert got.uuid == first.uuid
    assert alloc.held_by("c") == first
    assert alloc.position("c") is None
    alloc.release("b")
    assert alloc.counts() == {"T4": (1, 2)}


async def test_waiter_leaving_the_line_frees_its_place(tmp_path: Path) -> None:
    alloc = GpuAllocator(fake_gpus("T4", tmp_path))
    assert alloc.try_acquire("a", None) is not None
    waiting = asyncio.create_task(alloc.acquire("b", None))
    later = asyncio.create_task(alloc.acquire("c", None))
    await asyncio.sleep(0)
    assert (alloc.position("b"), alloc.position("c")) == (1, 2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert alloc.position("c") == 1
    alloc.release("a")
    assert (await asyncio.wait_for(later, 5)).name == "T4"


async def test_unknown_type_and_type_matching(tmp_path: Path) -> None:
    alloc = GpuAllocator(fake_gpus("T4,L4", tmp_path))
    with pytest.raises(NoSuchGpuType, match="L4, T4"):
        alloc.try_acquire("x", "A100")
    assert alloc.try_acquire("a", "L4") is not None
    assert alloc.try_acquire("b", "L4") is None  # the T4 is free but not what b asked for
    assert alloc.counts() == {"L4": (0, 1), "T4": (1, 1)}
