"""Runtimes as named servers of a real JupyterHub (``CLOUDBOOK_RUNTIME_PROVIDER=jupyterhub``):
spawn, run code, a form cell and a ``google.colab`` call through cloudbook's kernel proxy,
files through the files API, stop, a Hub restart mid-session, a refused spawn."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from websockets.exceptions import ConnectionClosed, InvalidStatus

from cloudbook.forms.rewrite import rewrite_value
from cloudbook.runtimes.jupyterhub import server_name
from cloudbook.settings import Settings
from tests.hub_fixtures import RealHub, real_hub  # noqa: F401
from tests.jupyter_fixtures import KernelWsClient, Message, execute_result
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.timeout(400)


def hub_settings(settings: Settings, hub: RealHub) -> Settings:
    settings.runtime_provider = "jupyterhub"
    settings.jupyterhub_url = hub.url
    settings.jupyterhub_token = SecretStr(hub.token)
    settings.runtime_start_timeout = 240
    return settings


@pytest.fixture
async def hub_live(settings: Settings, real_hub: RealHub) -> AsyncIterator[LiveServer]:  # noqa: F811
    async with live_server(hub_settings(settings, real_hub)) as server:
        yield server


async def new_session(live: LiveServer, token: str, name: str = "n.ipynb") -> dict[str, Any]:
    async with live.client(token) as http:
        nb = (await http.post("/api/notebooks", json={"name": name})).json()
        r = await http.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 200, r.text
        return {**r.json(), "notebook_id": nb["id"]}


def kernel_ws(live: LiveServer, token: str, session: dict[str, Any], **kw: Any) -> KernelWsClient:
    return KernelWsClient(
        live.ws_base + session["channels_url"],
        headers={"Authorization": f"Bearer {token}"},
        **kw,
    )


async def run_answering_colab(client: KernelWsClient, code: str, answer: object) -> list[Message]:
    """Execute ``code``, answering every ``colab_request`` as the page would."""
    request = client.message(
        "execute_request",
        {"code": code, "silent": False, "store_history": True, "user_expressions": {}}
        | {"allow_stdin": True, "stop_on_error": True},
    )
    await client.send(request)
    seen: list[Message] = []
    replied = idle = False
    while not (replied and idle):
        msg = await client.recv(120)
        kind = msg["header"]["msg_type"]
        if kind == "colab_request":
            value = {
                "type": "colab_reply",
                "colab_msg_id": msg["metadata"]["colab_msg_id"],
                "data": answer,
            }
            await client.send(client.message("input_reply", {"value": value}, "stdin"))
        if msg["parent_header"].get("msg_id") != request["header"]["msg_id"]:
            continue
        seen.append(msg)
        replied = replied or msg["channel"] == "shell"
        idle = idle or (kind == "status" and msg["content"]["execution_state"] == "idle")
    return seen


def stdout(messages: list[Message]) -> str:
    return "".join(m["content"]["text"] for m in messages if m["header"]["msg_type"] == "stream")


async def test_hub_runtime_runs_code_forms_colab_and_files_then_stops(
    hub_live: LiveServer,
    real_hub: RealHub,  # noqa: F811
) -> None:
    token = await hub_live.token_for("alice")
    session = await new_session(hub_live, token)
    assert server_name(session["runtime_id"]) in real_hub.servers()
    async with kernel_ws(hub_live, token, session) as client:
        assert execute_result(await client.execute("1+1", timeout=120)) == "2"
        # A form cell as the page sends it after the slider moved to 7.
        form = 'n = 3  #@param {type:"slider", min:1, max:10}\nprint(n * 2)'
        assert stdout(await client.execute(rewrite_value(form, 0, 7))).strip() == "14"
        answered = await run_answering_colab(
            client, "from google.colab import output\nprint(output.eval_js('6*7'))", 42
        )
        assert stdout(answered).strip() == "42"
    async with hub_live.client(token) as http:
        files = await http.get(f"/api/runtimes/{session['runtime_id']}/files?path=/content")
        assert files.status_code == 200, files.text
        assert "sample_data" in [e["name"] for e in files.json()["entries"]]
        status = (await http.get(f"/api/runtimes/{session['runtime_id']}")).json()
        assert status["state"] == "running"
        assert status["resources"]["memory"]["total"] > 0
        r = await http.delete(f"/api/notebooks/{session['notebook_id']}/session")
        assert r.status_code == 204
    assert server_name(session["runtime_id"]) not in real_hub.servers()


async def reconnect_and_run(
    live: LiveServer, token: str, session: dict[str, Any], code: str, deadline: float
) -> str | None:
    """Reconnect (the way the page does after a close) until the runtime answers."""
    while True:
        try:
            async with kernel_ws(live, token, session, open_timeout=10) as client:
                return execute_result(await client.execute(code, timeout=60))
        except (OSError, TimeoutError, ConnectionClosed, InvalidStatus) as exc:
            # refused until the Hub has put the server's route back
            if time.monotonic() > deadline:
                raise AssertionError("the runtime never answered again") from exc
            await asyncio.sleep(0.5)  # retry pace of the page's reconnect


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "through-hub-proxy"])
async def test_hub_restart_mid_session_keeps_the_kernel(
    settings: Settings,
    real_hub: RealHub,  # noqa: F811
    direct: bool,
) -> None:
    settings = hub_settings(settings, real_hub)
    settings.jupyterhub_direct = direct
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        session = await new_session(live, token)
        async with kernel_ws(live, token, session) as client:
            assert execute_result(await client.execute("x = 41\nx", timeout=120)) == "41"
            await asyncio.to_thread(real_hub.restart)
            if direct:  # the server's own address: the Hub is not on the kernel's path
                assert execute_result(await client.execute("x", timeout=60)) == "41"
            else:
                with pytest.raises(ConnectionClosed):  # the Hub's proxy went away under it
                    await client.execute("x", timeout=60)
        found = await reconnect_and_run(live, token, session, "x + 1", time.monotonic() + 120)
        assert found == "42"
        async with live.client(token) as http:
            status = (await http.get(f"/api/runtimes/{session['runtime_id']}")).json()
        assert status["state"] == "running"


async def test_gpu_on_a_cpu_only_hub_is_refused_with_the_hubs_reason(
    hub_live: LiveServer,
    real_hub: RealHub,  # noqa: F811
) -> None:
    token = await hub_live.token_for("alice")
    async with hub_live.client(token) as http:
        nb = (await http.post("/api/notebooks", json={"name": "gpu.ipynb"})).json()
        r = await http.patch(f"/api/notebooks/{nb['id']}/runtime-type", json={"accelerator": "gpu"})
        assert r.status_code == 200, r.text
        r = await http.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["error"]["code"] == "runtime_refused"
        assert "no 'gpu' runtime profile" in body["error"]["message"]
        assert real_hub.token not in json.dumps(body)
        r = await http.get(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 404
    assert real_hub.servers() == {}


SERVE_HERE = r"""
import ctypes, os, signal, socket, subprocess, sys, tempfile, time, urllib.request
root = tempfile.mkdtemp()
def die_with_kernel():  # a Hub runtime is not sandboxed: nothing else ends the server
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
with open(os.path.join(root, 'hello.txt'), 'w') as f:
    f.write('hello from the hub runtime')
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
                           '--directory', root], stderr=subprocess.DEVNULL,
                          preexec_fn=die_with_kernel)
for _ in range(400):
    try:
        urllib.request.urlopen(f'http://127.0.0.1:{port}/hello.txt', timeout=1); break
    except OSError:
        time.sleep(0.05)
print(port)
"""


async def test_hub_runtime_proxies_a_kernel_port_and_explains_the_drive(
    hub_live: LiveServer,
) -> None:
    import httpx

    token = await hub_live.token_for("alice")
    bob = await hub_live.token_for("bob")
    session = await new_session(hub_live, token)
    rid = session["runtime_id"]
    async with kernel_ws(hub_live, token, session) as client:
        port = int(stdout(await client.execute(SERVE_HERE, timeout=120)).strip().splitlines()[-1])
        mounted = await client.execute(
            "from google.colab import drive\ndrive.mount('/content/drive')", timeout=120
        )
        errors = [m for m in mounted if m["header"]["msg_type"] == "error"]
        assert errors, mounted
        assert "runs on the cluster (JupyterHub)" in errors[0]["content"]["evalue"]
        assert "docs/cluster.md" in errors[0]["content"]["evalue"]
    async with hub_live.client(token) as http:
        link = await http.post(f"/api/runtimes/{rid}/ports/{port}/url")
        assert link.status_code == 200, link.text
        url = link.json()["url"]
        # A port nobody in the runtime listens on (the service's own) is not proxied.
        service_port = int(hub_live.base.rsplit(":", 1)[1])
        service = (await http.post(f"/api/runtimes/{rid}/ports/{service_port}/url")).json()
    async with hub_live.client(bob) as http_bob:
        assert (await http_bob.post(f"/api/runtimes/{rid}/ports/{port}/url")).status_code == 404
    async with httpx.AsyncClient(timeout=60) as anonymous:
        got = await anonymous.get(url + "hello.txt")
        assert got.status_code == 200, got.text
        assert got.text == "hello from the hub runtime"
        assert got.headers["content-security-policy"].startswith("sandbox")
        refused = await anonymous.get(service["url"])
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "port_not_listening"
