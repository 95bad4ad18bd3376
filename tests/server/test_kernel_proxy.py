"""The kernel WebSocket pass-through, between a real uvicorn and a real jupyter server."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI, WebSocket
from websockets.exceptions import ConnectionClosed, InvalidStatus

from cloudbook.runtimes.jupyter_api import JupyterServerClient, close_shared_client
from cloudbook.runtimes.provider import Runtime
from cloudbook.server.kernel_proxy import V1_SUBPROTOCOL, KernelProxyHub, proxy_kernel_channels
from tests.jupyter_fixtures import (
    JupyterServer,
    JupyterServerProcess,
    KernelWsClient,
    Message,
    Protocol,
    execute_result,
    execution_states,
    start_jupyter_server,
    stream_text,
)

pytestmark = pytest.mark.timeout(120)
RID = "rt-1"
PROTOCOLS: tuple[Protocol, ...] = ("v1", "legacy")


@dataclass
class Proxy:
    base: str  # ws://127.0.0.1:PORT
    hub: KernelProxyHub
    runtimes: dict[str, Runtime]

    def url(self, kernel_id: str, runtime_id: str = RID) -> str:
        return f"{self.base}/api/runtimes/{runtime_id}/kernels/{kernel_id}/channels"


@asynccontextmanager
async def serve_proxy(hub: KernelProxyHub, runtimes: dict[str, Runtime]) -> AsyncIterator[Proxy]:
    """A bare FastAPI app mounting the proxy at the real route (no auth), on real uvicorn."""
    app = FastAPI()

    @app.websocket("/api/runtimes/{runtime_id}/kernels/{kernel_id}/channels")
    async def channels(websocket: WebSocket, runtime_id: str, kernel_id: str) -> None:
        await proxy_kernel_channels(websocket, runtimes[runtime_id], kernel_id, hub)

    # A plain socket() like `cloudbook serve` binds: proto 0, so asyncio itself does not
    # set TCP_NODELAY on accepted connections, and the proxy must.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield Proxy(f"ws://127.0.0.1:{sock.getsockname()[1]}", hub, runtimes)
    finally:
        await hub.close_all()
        server.should_exit = True
        await task
        sock.close()
        await close_shared_client()


async def poll(check: Callable[[], Awaitable[bool] | bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def api(jupyter_server: JupyterServer) -> AsyncIterator[JupyterServerClient]:
    yield JupyterServerClient(jupyter_server.runtime(RID))
    await close_shared_client()


@pytest.fixture
async def kernel_id(api: JupyterServerClient) -> AsyncIterator[str]:
    kid = await api.start_kernel()
    await api.wait_kernel_ready(kid, timeout=60)
    yield kid
    await api.delete_kernel(kid)


@pytest.fixture
async def proxy(jupyter_server: JupyterServer) -> AsyncIterator[Proxy]:
    hub = KernelProxyHub(buffer_messages=100, grace_seconds=30)
    async with serve_proxy(hub, {RID: jupyter_server.runtime(RID)}) as p:
        yield p


@pytest.mark.parametrize("protocol", ["v1", "legacy"])
async def test_execute_through_proxy(proxy: Proxy, kernel_id: str, protocol: Protocol) -> None:
    async with KernelWsClient(proxy.url(kernel_id), protocol=protocol) as kc:
        assert kc.subprotocol == (V1_SUBPROTOCOL if protocol == "v1" else None)
        messages = await kc.execute("1+1")
        assert execute_result(messages) == "2"
        assert execution_states(messages)[-1] == "idle"
        if protocol == "v1":
            assert kc.binary_frames >= 4 and kc.text_frames == 0
        else:
            assert kc.text_frames >= 4 and kc.binary_frames == 0
        [info] = proxy.hub.describe(RID)
        assert info.connected and info.session_id == kc.session_id
        # Nagle off on both legs (the listening socket above did not do it for us).
        assert info.upstream_nodelay is True
        assert info.downstream_nodelay is True
        assert proxy.hub.has_clients(RID)
        assert proxy.hub.last_activity(RID) is not None


async def test_five_megabyte_output_intact(proxy: Proxy, kernel_id: str) -> None:
    code = (
        "import base64, hashlib, os\n"
        "from IPython.display import display\n"
        "png = base64.b64encode(os.urandom(3_932_160)).decode()\n"  # 5 MiB of base64
        "display({'image/png': png, 'text/plain': 'img'}, raw=True)\n"
        "print(hashlib.sha256(png.encode()).hexdigest())"
    )
    async with KernelWsClient(proxy.url(kernel_id), protocol="v1") as kc:
        started = time.perf_counter()
        messages = await kc.execute(code)
        elapsed = time.perf_counter() - started
        [display] = [m for m in messages if m["header"]["msg_type"] == "display_data"]
        png = display["content"]["data"]["image/png"]
        assert len(png) == 5 * 1024 * 1024
        assert hashlib.sha256(png.encode()).hexdigest() == stream_text(messages).strip()
        assert kc.text_frames == 0
    print(f"\n5 MiB display_data through the proxy (v1): {elapsed * 1000:.0f} ms")


COUNTING = "import time\nfor i in range(5):\n    print(i)\n    time.sleep(0.2)"


async def test_reconnect_replays_missed_output(proxy: Proxy, kernel_id: str) -> None:
    first = await KernelWsClient(proxy.url(kernel_id), protocol="v1").connect()
    request = first.message("execute_request", {"code": COUNTING, "silent": False})
    msg_id = request["header"]["msg_id"]
    await first.send(request)
    seen: list[Message] = []
    while not stream_text(seen):  # disconnect mid-execution, after the first line
        msg = await first.recv()
        if msg["parent_header"].get("msg_id") == msg_id:
            seen.append(msg)
    await first.close()
    await poll(lambda: not proxy.hub.has_clients(RID))
    await poll(lambda: proxy.hub.describe(RID)[0].buffered >= 2)  # output kept meanwhile

    async with KernelWsClient(
        proxy.url(kernel_id), protocol="v1", session_id=first.session_id
    ) as again:
        rest = await again.collect(msg_id)
        assert proxy.hub.has_clients(RID)
        assert stream_text(seen + rest) == "0\n1\n2\n3\n4\n"  # all of it, once, in order
        assert stream_text(rest)  # some of it came from the replay buffer
        assert execution_states(rest)[-1] == "idle"
        assert next(m for m in rest if m["channel"] == "shell")["content"]["status"] == "ok"
        # and the session continues live
        assert execute_result(await again.execute("1+1")) == "2"


@pytest.mark.parametrize("protocol", ["v1", "legacy"])
async def test_buffer_drops_oldest_and_says_so(
    jupyter_server: JupyterServer,
    kernel_id: str,
    protocol: Protocol,
) -> None:
    hub = KernelProxyHub(buffer_messages=4, grace_seconds=30)
    async with serve_proxy(hub, {RID: jupyter_server.runtime(RID)}) as proxy:
        first = await KernelWsClient(proxy.url(kernel_id), protocol=protocol).connect()
        request = first.message(
            "execute_request", {"code": "for i in range(50): print(i, flush=True)"}
        )
        msg_id = request["header"]["msg_id"]
        await first.send(request)
        await first.close()
        await poll(lambda: any(s.dropped for s in hub.describe(RID)))

        async with KernelWsClient(
            proxy.url(kernel_id),
            protocol=protocol,
            session_id=first.session_id,
        ) as back:
            notice = await back.recv(timeout=10)
            assert notice["header"]["msg_type"] == "stream"
            assert notice["content"]["name"] == "stderr"
            assert "dropped" in notice["content"]["text"]
            assert notice["parent_header"]["msg_id"] == msg_id  # shown in the right cell
            rest = await back.collect(msg_id)
            assert execution_states(rest)[-1] == "idle"
            assert any(m["channel"] == "shell" for m in rest)
            full = "".join(f"{i}\n" for i in range(50))
            got = stream_text(rest)
            assert full.endswith(got) and got != full  # the newest kept, the oldest dropped
        assert not any(s.dropped for s in hub.describe(RID))


async def test_grace_period_then_upstream_closed(
    jupyter_server: JupyterServer,
    api: JupyterServerClient,
    kernel_id: str,
) -> None:
    hub = KernelProxyHub(buffer_messages=10, grace_seconds=0.3)
    async with serve_proxy(hub, {RID: jupyter_server.runtime(RID)}) as proxy:
        tasks_before = len(asyncio.all_tasks())
        kc = await KernelWsClient(proxy.url(kernel_id)).connect()
        assert execute_result(await kc.execute("1+1")) == "2"
        assert (await api.kernel_status(kernel_id)).connections == 1
        await kc.close()
        assert len(hub.describe(RID)) == 1  # still held during the grace period
        await poll(lambda: not hub.describe(RID))
        await poll(async_connections_are(api, kernel_id, 0))
        # Nothing left running (the session's closing task ends a moment after it is gone).
        await poll(lambda: len(asyncio.all_tasks()) <= tasks_before)

        # Too late to resume: a fresh upstream, nothing replayed, still works.
        async with KernelWsClient(proxy.url(kernel_id), session_id=kc.session_id) as again:
            assert execute_result(await again.execute("2+2")) == "4"


def async_connections_are(
    api: JupyterServerClient, kernel_id: str, n: int
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (await api.kernel_status(kernel_id)).connections == n

    return check


async def test_client_without_session_id_is_not_kept(proxy: Proxy, kernel_id: str) -> None:
    from websockets.asyncio.client import connect

    async with connect(proxy.url(kernel_id)) as ws:
        assert ws.subprotocol is None
        await poll(lambda: proxy.hub.has_clients(RID))
    await poll(lambda: not proxy.hub.describe(RID))


async def test_kernel_death_is_reported_and_restart_recovers(
    proxy: Proxy, api: JupyterServerClient, kernel_id: str
) -> None:
    async with KernelWsClient(proxy.url(kernel_id), protocol="v1") as kc:
        messages = await kc.execute("import os; os._exit(1)", timeout=60)
        assert execution_states(messages)[-1] in ("dead", "restarting")
        # The server restarts a dead kernel by itself; a restart asked while that one is
        # under way collides with it (jupyter_server answers 500 and, on a loaded machine,
        # the kernel came back on ports the new connection never heard from). The user's
        # Restart comes after the kernel is back, as here.
        await api.wait_kernel_ready(kernel_id, timeout=60)
        await api.restart_kernel(kernel_id)
        await api.wait_kernel_ready(kernel_id, timeout=60)
    # A fresh connection, as the browser makes after a restart: the old one's iopub
    # subscription may still be reconnecting to the new kernel (ZMQ late joiner).
    async with KernelWsClient(proxy.url(kernel_id), protocol="v1") as kc:
        assert execute_result(await kc.execute("1+1", stop_on_restart=False)) == "2"


async def test_deleted_kernel_closes_client_and_refuses_reconnect(
    proxy: Proxy, api: JupyterServerClient
) -> None:
    kid = await api.start_kernel()
    await api.wait_kernel_ready(kid, timeout=60)
    kc = await KernelWsClient(proxy.url(kid)).connect()
    assert execute_result(await kc.execute("1+1")) == "2"
    await api.delete_kernel(kid)
    assert kc.ws is not None
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(30):
            while True:
                await kc.ws.recv()
    assert kc.ws.close_code == 1001
    await poll(lambda: not proxy.hub.describe(RID))
    with pytest.raises(InvalidStatus) as refused:
        await KernelWsClient(proxy.url(kid), session_id=kc.session_id).connect()
    assert refused.value.response.status_code == 404


async def test_unreachable_runtime_is_refused(proxy: Proxy) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy.runtimes["gone"] = Runtime("gone", f"http://127.0.0.1:{port}", "t", sandboxed=False)
    with pytest.raises(InvalidStatus) as refused:
        await KernelWsClient(proxy.url("k", runtime_id="gone")).connect()
    assert refused.value.response.status_code == 502


async def test_close_runtime_disconnects_clients(proxy: Proxy, kernel_id: str) -> None:
    async with KernelWsClient(proxy.url(kernel_id)) as kc:
        await kc.execute("1+1")
        await proxy.hub.close_runtime(RID)
        assert kc.ws is not None
        with pytest.raises(ConnectionClosed):
            await kc.ws.recv()
        assert kc.ws.close_code == 1001
        assert not proxy.hub.has_clients(RID) and not proxy.hub.describe(RID)


async def test_same_session_id_replaces_older_connection(proxy: Proxy, kernel_id: str) -> None:
    async with KernelWsClient(proxy.url(kernel_id)) as first:
        async with KernelWsClient(proxy.url(kernel_id), session_id=first.session_id) as second:
            assert first.ws is not None
            with pytest.raises(ConnectionClosed):  # what was already on its way may come first
                async with asyncio.timeout(60):
                    while True:
                        await first.ws.recv()
            assert execute_result(await second.execute("3+3")) == "6"
            assert len(proxy.hub.describe(RID)) == 1


async def test_stalled_browser_holds_nothing_up(
    proxy: Proxy,
    jupyter_server_process: JupyterServerProcess,
    kernel_id: str,
) -> None:
    """A browser that stops reading (its socket buffers full) pauses the pump, not the
    server; reconnecting with its session id replaces it at once and resumes the output."""
    done = jupyter_server_process.root_dir / f"done-{kernel_id}"
    first = await KernelWsClient(proxy.url(kernel_id)).connect()
    code = (
        "from IPython.display import display\n"
        "for i in range(40):\n"
        "    display({'text/plain': f'{i:02d}' + 'x' * 1_000_000}, raw=True)\n"
        f"open({str(done)!r}, 'w').close()"
    )
    request = first.message("execute_request", {"code": code, "silent": False})
    assert first.ws is not None
    first.ws.transport.pause_reading()  # 40 MB will not fit in the socket buffers
    await first.send(request)
    await poll(done.exists, timeout=60)
    assert proxy.hub.describe(RID)[0].connected  # still writing to the stalled browser

    started = time.monotonic()
    async with KernelWsClient(proxy.url(kernel_id), session_id=first.session_id) as second:
        rest = await second.collect(request["header"]["msg_id"])
        shown = [
            int(m["content"]["data"]["text/plain"][:2])
            for m in rest
            if m["header"]["msg_type"] == "display_data"
        ]
        # What sat in the stalled browser's socket buffers is gone with it; the rest follows.
        assert 0 < shown[0] and shown == list(range(shown[0], 40))
        assert execution_states(rest)[-1] == "idle"
    assert time.monotonic() - started < 30
    first.ws.transport.resume_reading()
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(30):
            while True:
                await first.ws.recv()


# --- latency ------------------------------------------------------------------------------


async def round_trips(kc: KernelWsClient, n: int) -> list[float]:
    await kc.execute("1+1")
    times = []
    for _ in range(n):
        t = time.perf_counter()
        messages = await kc.execute("1+1")
        times.append(time.perf_counter() - t)
        assert execute_result(messages) == "2"
    return times


async def zmq_round_trips(connection_file: Path, n: int) -> list[float]:
    from jupyter_client.asynchronous.client import AsyncKernelClient

    kc = AsyncKernelClient(connection_file=str(connection_file))
    kc.load_connection_file()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=30)
        times = []
        for _ in range(n + 1):
            t = time.perf_counter()
            reply = await kc.execute_interactive("1+1", timeout=30, output_hook=lambda m: None)
            times.append(time.perf_counter() - t)
            assert reply["content"]["status"] == "ok"
        return times[1:]
    finally:
        kc.stop_channels()


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{name:<44} median {statistics.median(times) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"


async def test_round_trip_latency(
    tmp_path: Path,
    jupyter_server: JupyterServer,
) -> None:
    """`1+1` round trips through the proxy vs the Jupyter server's own WebSocket vs ZMQ.

    Printed, not asserted (run with -s). The main comparison uses a runtime with
    TCP_NODELAY on its kernel sockets (as cloudbook's runtime extension sets it);
    the stock server, which leaves Nagle on, is shown briefly for contrast.
    """
    n, short = 200, 50
    lines: list[str] = []
    with start_jupyter_server(tmp_path / "nodelay", nodelay=True) as server:
        jp = server.info
        api = JupyterServerClient(jp.runtime(RID))
        kid = await api.start_kernel()
        await api.wait_kernel_ready(kid, timeout=60)
        try:
            for nodelay in (True, False):
                hub = KernelProxyHub(buffer_messages=100, grace_seconds=0, tcp_nodelay=nodelay)
                async with serve_proxy(hub, {RID: jp.runtime(RID)}) as proxy:
                    for protocol in PROTOCOLS:
                        async with KernelWsClient(proxy.url(kid), protocol=protocol) as kc:
                            label = f"proxy {protocol}" + (
                                "" if nodelay else " (Nagle on at proxy)"
                            )
                            times = await round_trips(kc, n if nodelay else short)
                            lines.append(summary(label, times))
            for protocol in PROTOCOLS:
                url = jp.channels_url(kid)
                async with KernelWsClient(url, protocol=protocol, headers=jp.headers) as kc:
                    lines.append(summary(f"jupyter ws {protocol}", await round_trips(kc, n)))
            zmq_times = await zmq_round_trips(server.connection_file(kid), n)
            lines.append(summary("zmq (jupyter_client)", zmq_times))
        finally:
            await api.delete_kernel(kid)

    stock = JupyterServerClient(jupyter_server.runtime(RID))
    kid = await stock.start_kernel()
    await stock.wait_kernel_ready(kid, timeout=60)
    try:
        hub = KernelProxyHub(buffer_messages=100, grace_seconds=0)
        async with serve_proxy(hub, {RID: jupyter_server.runtime(RID)}) as proxy:
            async with KernelWsClient(proxy.url(kid)) as kc:
                lines.append(summary("proxy v1, stock runtime", await round_trips(kc, short)))
        url = jupyter_server.channels_url(kid)
        async with KernelWsClient(url, headers=jupyter_server.headers) as kc:
            lines.append(summary("jupyter ws v1, stock runtime", await round_trips(kc, short)))
    finally:
        await stock.delete_kernel(kid)
        await close_shared_client()
    print("\n`1+1` round trips (execute_request -> execute_reply + idle):")
    print("\n".join(lines))
