"""The headless kernel client takes and sends binary buffers in both WebSocket framings
(the legacy protocol sends a message with buffers as a binary frame of its own format)."""

from __future__ import annotations

import pytest

from cloudbook.runtimes.jupyter_api import JupyterServerClient
from cloudbook.runtimes.kernel_client import KernelConnection, Message, new_message
from tests.jupyter_fixtures import JupyterServer

pytestmark = pytest.mark.timeout(120)

# The kernel opens a comm carrying bytes, and echoes back the bytes it is sent on it.
ECHO = (
    "from comm import create_comm\n"
    "c = create_comm(target_name='echo.test', data={'hello': 1}, buffers=[b'\\x00hi\\xff'])\n"
    "c.on_msg(lambda m: c.send({'got': [len(b) for b in m['buffers']]},"
    " buffers=[bytes(b)[::-1] for b in m['buffers']]))"
)


@pytest.mark.parametrize("protocol", ["legacy", "v1"])
async def test_buffers_both_ways(jupyter_server: JupyterServer, protocol: str) -> None:
    client = JupyterServerClient(jupyter_server.runtime())
    kernel_id = await client.start_kernel()
    try:
        await client.wait_kernel_ready(kernel_id, timeout=60)
        url = jupyter_server.channels_url(kernel_id)
        async with KernelConnection(url, jupyter_server.headers, protocol) as conn:
            seen: list[Message] = []
            result = await conn.execute(ECHO, on_iopub=seen.append)
            assert result.status == "ok"
            opened = next(m for m in seen if m["header"]["msg_type"] == "comm_open")
            assert opened["content"]["data"] == {"hello": 1}
            assert opened["buffers"] == [b"\x00hi\xff"]

            msg = new_message(
                "comm_msg",
                {"comm_id": opened["content"]["comm_id"], "data": {"x": 1}},
                conn.session,
                "shell",
            )
            msg["buffers"] = [b"abc", b"\x01\x02"]
            await conn.send(msg)
            while True:
                reply = await conn.recv()
                if reply["header"]["msg_type"] == "comm_msg":
                    break
            assert reply["content"]["data"] == {"got": [3, 2]}
            assert reply["buffers"] == [b"cba", b"\x02\x01"]
    finally:
        await client.delete_kernel(kernel_id)
