"""The kernel-port proxy: a web server started in a runtime, reached through a signed link
that works without cookies, for the runtime's user only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server
from tests.server.test_runtimes_api import attach, kernel, stdout_of

pytestmark = pytest.mark.timeout(180)

START_HTTP_SERVER = r"""
import socket, subprocess, sys, time, urllib.request
with open('/content/hello.txt', 'w') as f:
    f.write('hello from the runtime')
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
                           '--directory', '/content'], stderr=subprocess.DEVNULL)
for _ in range(200):
    try:
        urllib.request.urlopen(f'http://127.0.0.1:{port}/hello.txt', timeout=1); break
    except OSError:
        time.sleep(0.05)
print(port)
"""

START_ECHO = r"""
import threading
from websockets.sync.server import serve
def echo(ws):
    for message in ws:
        ws.send('echo:' + message)
echo_server = serve(echo, '127.0.0.1', 0)
threading.Thread(target=echo_server.serve_forever, daemon=True).start()
print(echo_server.socket.getsockname()[1])
"""


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 0
    async with live_server(settings) as server:
        yield server


async def _run(live: LiveServer, token: str, session: dict[str, str], code: str) -> str:
    async with kernel(live, token, session) as conn:
        result = await conn.execute(code)
        assert result.status == "ok", result.reply
        return stdout_of(result).strip().splitlines()[-1]


async def _url(live: LiveServer, token: str, runtime_id: str, port: int) -> httpx.Response:
    async with live.client(token) as http:
        return await http.post(f"/api/runtimes/{runtime_id}/ports/{port}/url")


async def test_http_server_in_runtime_through_the_link(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = await live.token_for("alice")
    bob = await live.token_for("bob")
    session = await attach(live, alice)
    rid = session["runtime_id"]
    port = int(await _run(live, alice, session, START_HTTP_SERVER))

    r = await _url(live, alice, rid, port)
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert url.startswith(live.base + "/") and url.endswith("/")
    token = url.rstrip("/").rsplit("/", 1)[1]

    async with httpx.AsyncClient(timeout=30) as anonymous:  # no cookie, no bearer
        got = await anonymous.get(url + "hello.txt")
        assert got.status_code == 200, got.text
        assert got.text == "hello from the runtime"
        assert got.headers["content-security-policy"].startswith("sandbox")
        listing = await anonymous.get(url)
        assert "hello.txt" in listing.text

        # Bob may not ask for a link to Alice's runtime.
        assert (await _url(live, bob, rid, port)).status_code == 404
        # A forged or altered token, or Alice's token on another port: 404.
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        assert (await anonymous.get(url.replace(token, forged))).status_code == 404
        other_port = url.replace(f"/proxy/{port}/", f"/proxy/{port + 1}/")
        assert (await anonymous.get(other_port + "hello.txt")).status_code == 404
        # Bob's own link, for his runtime, does not open Alice's.
        bob_session = await attach(live, bob)
        bob_url = (await _url(live, bob, bob_session["runtime_id"], port)).json()["url"]
        bob_token = bob_url.rstrip("/").rsplit("/", 1)[1]
        assert (await anonymous.get(url.replace(token, bob_token))).status_code == 404

        # Ports that are not the runtime's own (here: the service itself) are never proxied.
        service_port = int(live.base.rsplit(":", 1)[1])
        service = (await _url(live, alice, rid, service_port)).json()["url"]
        refused = await anonymous.get(service)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "port_not_listening"

        # Expired links: 403.
        live.services.port_links.ttl = -5
        expired = (await _url(live, alice, rid, port)).json()["url"]
        r = await anonymous.get(expired + "hello.txt")
        assert r.status_code == 403 and r.json()["error"]["code"] == "link_expired"
        live.services.port_links.ttl = 3600

        # Once the runtime is deleted the link is dead.
        async with live.client(alice) as http:
            await http.delete(f"/api/runtimes/{rid}")
        assert (await anonymous.get(url + "hello.txt")).status_code == 404

    for bad in (0, 70000):
        r = await _url(live, bob, bob_session["runtime_id"], bad)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_port"
    # The service's own logs (not this test's HTTP client) never hold the link's token.
    service_logs = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert service_logs and not any(token in r.getMessage() for r in service_logs)


async def test_websocket_through_the_link(live: LiveServer) -> None:
    alice = await live.token_for("alice")
    session = await attach(live, alice)
    port = int(await _run(live, alice, session, START_ECHO))
    url = (await _url(live, alice, session["runtime_id"], port)).json()["url"]
    ws_url = "ws" + url[len("http") :] + "socket"
    async with connect(ws_url, origin="null") as ws:  # type: ignore[arg-type]
        await ws.send("ping")
        assert await ws.recv() == "echo:ping"
    token = url.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(InvalidStatus) as denied:
        async with connect(ws_url.replace(token, "1.2.AAAAAAAAAAAAAAAAAAAAAA")):
            pass
    assert denied.value.response.status_code == 404
