"""The REST client of a runtime's Jupyter server, against a real jupyter server and kernels."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from cloudbook.runtimes.jupyter_api import (
    JupyterApiError,
    JupyterServerClient,
    KernelNotFound,
    KernelNotReady,
    close_shared_client,
    shared_http_client,
)
from cloudbook.runtimes.provider import Runtime
from tests.jupyter_fixtures import (
    JupyterServer,
)


@pytest.fixture(autouse=True)
async def _close_http() -> AsyncIterator[None]:
    yield
    await close_shared_client()


@pytest.fixture
def client(jupyter_server: JupyterServer) -> JupyterServerClient:
    return JupyterServerClient(jupyter_server.runtime())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_kernel_life_cycle(client: JupyterServerClient) -> None:
    kernel_id = await client.start_kernel()
    try:
        info = await client.wait_kernel_ready(kernel_id, timeout=60)
        assert info["status"] == "ok"
        assert info["language_info"]["name"] == "python"

        assert kernel_id in [k.id for k in await client.list_kernels()]
        model = await client.kernel_status(kernel_id)
        assert model.name == "python3"
        assert model.execution_state in ("idle", "busy", "starting")
        assert isinstance(model.last_activity, datetime)

        await client.interrupt_kernel(kernel_id)
        restarted = await client.restart_kernel(kernel_id)
        assert restarted.id == kernel_id
        await client.wait_kernel_ready(kernel_id, timeout=60)

        status = await client.status()
        assert status.kernels >= 1
        assert status.started is not None and status.last_activity is not None
        assert status.last_activity >= status.started
    finally:
        await client.delete_kernel(kernel_id)
    with pytest.raises(KernelNotFound):
        await client.kernel_status(kernel_id)
    await client.delete_kernel(kernel_id)  # idempotent
    with pytest.raises(KernelNotFound):
        await client.delete_kernel(kernel_id, missing_ok=False)
    with pytest.raises(KernelNotFound):
        await client.wait_kernel_ready(kernel_id, timeout=10)
    with pytest.raises(KernelNotFound):
        await client.interrupt_kernel(kernel_id)


async def test_one_shared_http_client(jupyter_server: JupyterServer) -> None:
    a = JupyterServerClient(jupyter_server.runtime("a"))
    b = JupyterServerClient(jupyter_server.runtime("b"))
    await a.status()
    await b.status()
    assert shared_http_client() is shared_http_client()
    await close_shared_client()
    assert (await a.status()).connections >= 0  # a fresh client after close


async def test_errors_never_show_the_token(jupyter_server: JupyterServer) -> None:
    secret = "cb-secret-token-value-0123456789"
    wrong = JupyterServerClient(
        Runtime(runtime_id="x", url=jupyter_server.url, token=secret, sandboxed=False)
    )
    with pytest.raises(JupyterApiError) as refused:
        await wrong.start_kernel()
    assert refused.value.status == 403
    assert secret not in str(refused.value)

    gone = JupyterServerClient(
        Runtime(
            runtime_id="y", url=f"http://127.0.0.1:{closed_port()}", token=secret, sandboxed=False
        )
    )
    with pytest.raises(JupyterApiError) as unreachable:
        await gone.status()
    assert unreachable.value.status is None
    assert secret not in str(unreachable.value)
    with pytest.raises(KernelNotReady) as not_ready:
        await gone.wait_kernel_ready("k", timeout=0.5)
    assert secret not in str(not_ready.value)

    with pytest.raises(JupyterApiError) as bad_channels:
        await wrong.wait_kernel_ready("k", timeout=2)
    assert secret not in str(bad_channels.value)


async def test_get_json_passes_through(client: JupyterServerClient) -> None:
    data = await client.get_json("/api")
    assert "version" in data
    with pytest.raises(JupyterApiError) as missing:
        await client.get_json("/api/no-such-endpoint")
    assert missing.value.status == 404
