"""Kernel WebSockets through the service stay open while idle, and a page that drops off
for a minute mid-run gets every line it missed, in order, when it comes back.

These two tests wait for wall time on purpose: being idle (90 s) and being away (60 s)
are the behaviour under test."""

from __future__ import annotations

import asyncio

import pytest

from tests.jupyter_fixtures import KernelWsClient, Message, execute_result, stream_text
from tests.server.live import LiveServer
from tests.server.test_runtimes_api import attach

pytestmark = pytest.mark.timeout(300)
IDLE_SECONDS = 90
AWAY_SECONDS = 60


async def test_an_idle_kernel_websocket_stays_open_and_executes(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    url = live.ws_base + session["channels_url"]
    async with KernelWsClient(url, headers={"Authorization": f"Bearer {token}"}) as kc:
        assert execute_result(await kc.execute("1+1")) == "2"
        assert kc.ws is not None
        with pytest.raises(TimeoutError):  # nothing closes it while it is idle
            await asyncio.wait_for(asyncio.shield(kc.ws.wait_closed()), IDLE_SECONDS)
        assert execute_result(await kc.execute("2+3")) == "5"


LINES = 200
PRINTING = f"import time\nfor i in range({LINES}):\n    print(i, flush=True)\n    time.sleep(0.4)"


async def test_a_minute_away_during_a_run_replays_every_missed_line(live: LiveServer) -> None:
    assert live.services.kernel_hub.grace_seconds > AWAY_SECONDS  # the default suffices
    token = await live.token_for("alice")
    session = await attach(live, token)
    url = live.ws_base + session["channels_url"]
    headers = {"Authorization": f"Bearer {token}"}
    first = await KernelWsClient(url, headers=headers).connect()
    request = first.message("execute_request", {"code": PRINTING, "silent": False})
    msg_id = request["header"]["msg_id"]
    await first.send(request)
    seen: list[Message] = []
    while not stream_text(seen):  # leave after the first line
        msg = await first.recv()
        if msg["parent_header"].get("msg_id") == msg_id:
            seen.append(msg)
    await first.close()

    await asyncio.sleep(AWAY_SECONDS)  # the browser is away; the kernel keeps printing

    async with KernelWsClient(url, headers=headers, session_id=first.session_id) as back:
        rest = await back.collect(msg_id, timeout=120)
        printed = stream_text(seen + rest)
        assert printed == "".join(f"{i}\n" for i in range(LINES))  # all, once, in order
        replayed = stream_text(rest)
        assert replayed.startswith(f"{len(stream_text(seen).splitlines())}\n")
        assert execute_result(await back.execute("1+1")) == "2"
