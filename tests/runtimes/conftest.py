"""Runtimes started by the real `local` provider, with a kernel client, all stopped at teardown.

``runtimes`` hands out providers (``runtimes.provider("auto" | "none")``) and starts
runtimes and kernels through them; teardown stops every runtime it started and fails
the test if a process of one is still alive.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import pytest

from cloudbook.runtimes.connect import close_all, http_client, http_url
from cloudbook.runtimes.local import LocalProvider, runtime_pids
from cloudbook.runtimes.provider import Runtime, RuntimeSpec
from tests.jupyter_fixtures import KernelWsClient, stream_text

HAS_BWRAP = shutil.which("bwrap") is not None
needs_bwrap = pytest.mark.skipif(not HAS_BWRAP, reason="needs bubblewrap (bwrap)")
Sandbox = Literal["auto", "bwrap", "none"]
# "auto" runs sandboxed here when bwrap exists; without it the "none" case covers the rest.
SANDBOXES = [pytest.param("auto", marks=needs_bwrap, id="sandboxed"), pytest.param("none")]


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Runtimes:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.runtimes_dir = data_dir / "runtimes"
        self.started: list[tuple[LocalProvider, Runtime]] = []
        self.clients: list[KernelWsClient] = []

    def provider(self, sandbox: Sandbox = "auto", **kw: Any) -> LocalProvider:
        kw.setdefault("start_timeout", 60)
        return LocalProvider(self.runtimes_dir, sandbox=sandbox, **kw)

    async def start(self, provider: LocalProvider, **spec: Any) -> Runtime:
        spec.setdefault("runtime_id", f"test-{uuid.uuid4()}")
        runtime = await provider.start(RuntimeSpec(**spec))
        self.started.append((provider, runtime))
        return runtime

    async def kernel(self, runtime: Runtime) -> KernelWsClient:
        """A started kernel, connected (legacy JSON framing) and answering."""
        headers = {"Authorization": f"token {runtime.token}"}
        r = await http_client(runtime).post(
            http_url(runtime, "/api/kernels"), json={"name": "python3"}, headers=headers
        )
        assert r.status_code == 201, r.text
        kernel_id = r.json()["id"]
        client = KernelWsClient(
            f"/api/kernels/{kernel_id}/channels",
            protocol="legacy",
            headers=headers,
            runtime=runtime,
        )
        await client.connect()
        self.clients.append(client)
        await client.request("kernel_info_request", {}, timeout=60)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        for provider, runtime in self.started:
            await provider.stop(runtime)
        await close_all()  # clients of runtimes stopped by other means (orphan reclaim)
        ids = {runtime.runtime_id for _, runtime in self.started}
        left = {rid: runtime_pids(rid) for rid in ids}
        assert not any(left.values()), f"runtime processes left behind: {left}"


async def run(kernel: KernelWsClient, code: str, timeout: float = 60) -> str:
    """stdout of ``code``; fails the test on an error."""
    messages = await kernel.execute(code, timeout)
    errors = [m["content"] for m in messages if m["header"]["msg_type"] == "error"]
    assert not errors, errors
    return stream_text(messages)


@pytest.fixture
async def runtimes(tmp_path: Path) -> AsyncIterator[Runtimes]:
    harness = Runtimes(tmp_path / "data")
    try:
        yield harness
    finally:
        await harness.close()
