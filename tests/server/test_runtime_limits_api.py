"""Limits as the API shows them, OOM kills reported, and output caps through the proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from cloudbook.runtimes.kernel_client import KernelConnection, KernelDied, new_message
from cloudbook.settings import Settings
from tests.runtimes.test_limits import MECHANISM
from tests.server.live import LiveServer, live_server
from tests.server.test_runtimes_api import attach, kernel, stdout_of

pytestmark = pytest.mark.timeout(420)
GiB = 1024**3


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 1
    settings.runtime_memory = "1G"
    settings.runtime_disk = "512M"
    settings.output_message_max_bytes = 256 * 1024
    settings.output_cell_max_bytes = 1024 * 1024
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server


async def test_runtime_reports_its_limits_and_the_bars_show_them(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    async with live.client(token) as http:
        status = (await http.get(f"/api/runtimes/{session['runtime_id']}")).json()
        bars = (await http.get(f"/api/runtimes/{session['runtime_id']}/resources")).json()
    limits = status["limits"]
    assert limits["memory"] == GiB or limits["mechanism"] == "rlimit"
    assert limits["mechanism"] == MECHANISM
    assert status["oom_kills"] == 0
    if limits["mechanism"] != "rlimit":
        assert bars["memory"]["total"] == GiB  # the runtime's limit, not the host's RAM
        assert 0 < bars["memory"]["used"] < GiB
    if limits["disk_mechanism"] == "loop-ext4":
        assert limits["disk"] == 512 * 1024**2
        assert bars["disk"]["total"] <= 512 * 1024**2


@pytest.mark.skipif(
    MECHANISM == "rlimit",
    reason="the service is not root or the host has no cgroup memory controller",
)
async def test_oom_kill_is_counted_and_the_runtime_lives_on(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    async with kernel(live, token, session) as conn, live.client(token) as http:
        # The kernel dies mid-run, so the run never finishes: watch the runtime instead.
        run = asyncio.create_task(conn.execute("x = b'x' * (2 * 1024**3)"))
        url = f"/api/runtimes/{session['runtime_id']}"
        status = (await http.get(url)).json()
        async with asyncio.timeout(120):
            while status["oom_kills"] == 0:
                await asyncio.sleep(0.1)  # between polls of the condition, not a wait for it
                status = (await http.get(url)).json()
        run.cancel()
        assert status["state"] == "running"
    # A fresh kernel, as the page reconnects: like any Jupyter client it first waits for
    # the restarted kernel to answer kernel_info (a request sent while the server still
    # restarts it can be lost), then runs the cell.
    async with asyncio.timeout(120):
        while True:
            async with kernel(live, token, session) as conn:
                if not await answers_kernel_info(conn):
                    continue
                result = await conn.execute("print(1+1)")
            break
    assert stdout_of(result).strip() == "2"


async def answers_kernel_info(conn: KernelConnection) -> bool:
    """Whether the kernel behind ``conn`` answers kernel_info within a few seconds."""
    request = new_message("kernel_info_request", {}, conn.session, "shell")
    await conn.send(request)
    try:
        async with asyncio.timeout(5):
            while True:
                msg = await conn.recv()
                parent = msg.get("parent_header", {}).get("msg_id")
                if parent == request["header"]["msg_id"] and msg["channel"] == "shell":
                    return True
    except (TimeoutError, KernelDied):
        return False


@pytest.mark.parametrize("protocol", ["v1", "legacy"])
async def test_runaway_print_is_capped_with_a_visible_marker(
    live: LiveServer, protocol: str
) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    code = "for i in range(40):\n    print(str(i) * 200_000)\nprint('after')"
    url = live.ws_base + session["channels_url"]
    headers = {"Authorization": f"Bearer {token}"}
    async with KernelConnection(url, headers, protocol=protocol) as conn:
        result = await conn.execute(code)
        text = stdout_of(result)
        streams = [m for m in result.iopub if m["header"]["msg_type"] == "stream"]
        errs = "".join(m["content"]["text"] for m in streams if m["content"]["name"] == "stderr")
        # 8 MB printed; at most the cell cap (plus the markers) came through.
        assert len(text) + len(errs) < 1024 * 1024 + 4096
        assert "the rest is not shown" in errs
        assert "output truncated:" in errs and "MB not shown" in errs
        assert result.status == "ok"
        # The next cell starts afresh.
        again = await conn.execute("print('x' * 1000)")
        assert stdout_of(again).strip() == "x" * 1000


async def test_one_oversized_message_is_cut_with_a_marker(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    async with kernel(live, token, session) as conn:
        result = await conn.execute("import sys; sys.stdout.write('y' * 600_000)")
        shown = await conn.execute(
            "from IPython.display import HTML, display\ndisplay(HTML('<b>' + 'z' * 600_000))"
        )
    text = stdout_of(result)
    assert text.startswith("y" * 1000)
    assert "[output truncated: 0." in text and "MB not shown]" in text
    assert len(text) < 256 * 1024
    [display] = [m for m in shown.iopub if m["header"]["msg_type"] == "display_data"]
    assert display["content"]["data"] == {"text/plain": "[output truncated: 0.6 MB not shown]"}
