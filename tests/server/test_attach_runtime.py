"""'Connect to a runtime by URL': a real `jupyter server` the service can reach, proxied.

Off unless the operator allows addresses (CLOUDBOOK_ATTACH_ALLOWED); URLs with other
schemes or credentials, wrong tokens and addresses outside the list are refused and
change nothing."""

from __future__ import annotations

import httpx
import pytest

from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.settings import Settings
from tests.jupyter_fixtures import JupyterServer
from tests.server.live import live_server

pytestmark = pytest.mark.timeout(180)


async def kernels_of(server: JupyterServer) -> set[str]:
    async with httpx.AsyncClient(headers=server.headers) as http:
        return {k["id"] for k in (await http.get(f"{server.url}/api/kernels")).json()}


async def test_attach_is_off_unless_the_operator_allows_it(
    settings: Settings, jupyter_server: JupyterServer
) -> None:
    settings.pool_size = 0
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        async with live.client(token) as http:
            nb = (await http.post("/api/notebooks", json={"name": "a.ipynb"})).json()["id"]
            body = {"attach": {"url": f"{jupyter_server.url}/?token={jupyter_server.token}"}}
            r = await http.post(f"/api/notebooks/{nb}/session", json=body)
            assert r.status_code == 403
            assert r.json()["error"]["code"] == "attach_disabled"


async def test_attach_runs_code_and_bad_urls_are_refused(
    settings: Settings, jupyter_server: JupyterServer
) -> None:
    settings.pool_size = 0
    settings.attach_allowed = "127.0.0.0/8"
    before = await kernels_of(jupyter_server)
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        async with live.client(token) as http:
            nb = (await http.post("/api/notebooks", json={"name": "a.ipynb"})).json()["id"]
            url = f"{jupyter_server.url}/lab?token={jupyter_server.token}"
            r = await http.post(f"/api/notebooks/{nb}/session", json={"attach": {"url": url}})
            assert r.status_code == 200, r.text
            session = r.json()
            assert session["kind"] == "attached"
            assert session["kernel_id"] in await kernels_of(jupyter_server)
            ws = live.ws_base + session["channels_url"]
            async with KernelConnection(ws, {"Authorization": f"Bearer {token}"}) as conn:
                result = await conn.execute("1+1")
            assert result.reply["content"]["status"] == "ok"
            results = [m for m in result.iopub if m["header"]["msg_type"] == "execute_result"]
            assert results[0]["content"]["data"]["text/plain"] == "2"

            bad = {
                "ftp://127.0.0.1/": "invalid_runtime_url",
                "file:///etc/passwd": "invalid_runtime_url",
                f"http://me:pw@{jupyter_server.url[len('http://') :]}/": "invalid_runtime_url",
                f"{jupyter_server.url}/?token=wrong": "attach_token_refused",
                "http://127.0.0.1:1/": "attach_unreachable",
                "http://[::ffff:169.254.169.254]/": "attach_not_allowed",
            }
            for bad_url, code in bad.items():
                r = await http.post(
                    f"/api/notebooks/{nb}/session", json={"attach": {"url": bad_url}}
                )
                assert r.status_code in (400, 403, 502), r.text
                assert r.json()["error"]["code"] == code, (bad_url, r.text)
                assert jupyter_server.token not in r.text
            # Nothing changed: the notebook keeps its runtime.
            now = (await http.get(f"/api/notebooks/{nb}/session")).json()
            assert now["runtime_id"] == session["runtime_id"]

            # Disconnecting shuts down our kernel; the user's server keeps running.
            assert (await http.delete(f"/api/notebooks/{nb}/session")).status_code == 204
            assert await kernels_of(jupyter_server) == before
