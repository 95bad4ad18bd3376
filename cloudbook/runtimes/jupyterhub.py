"""Runtimes as JupyterHub named servers: how cloudbook grows past one machine.

Each runtime is a named server of one Hub user (``CLOUDBOOK_JUPYTERHUB_USER``, created at
first use), started and stopped through the Hub's REST API with a service token
(``CLOUDBOOK_JUPYTERHUB_TOKEN``: scopes ``admin:users``, ``admin:servers``,
``access:servers``, ``read:users``). ``user_options`` say what to start (see
``cloudbook.hub_side``, which the Hub loads); on Kubernetes KubeSpawner turns the
``profile`` into a pod with or without a GPU. The service then reaches the server with the
same token, exactly as it reaches a local runtime's Jupyter server (kernels, files,
resources): at its own address (the pod's) when the Hub's routing table gives it and it
answers from here, else through the Hub's proxy (``<hub url>/user/<user>/<name>/``).
Going direct takes the Hub's configurable-http-proxy (a node process) off every kernel
frame's path, and a Hub or proxy restart no longer cuts open kernel sockets.

A runtime outlives the replica that started it (it is a pod, not a child process), so
other replicas can adopt it (``cloudbook.runtimes.replicas``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from cloudbook.runtimes.provider import (
    Runtime,
    RuntimeRefused,
    RuntimeSpec,
    RuntimeStartError,
    RuntimeStatus,
    RuntimeUsage,
)

if TYPE_CHECKING:
    from cloudbook.runtimes.limits import RuntimeLimits

log = logging.getLogger("cloudbook.runtimes")


def _iso(when: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z")


def server_name(runtime_id: str) -> str:
    """The Hub's name for a runtime: a "safe slug" (a letter first, at most 30 lowercase
    letters and digits), derived from the runtime id so any replica can compute it."""
    return "r" + "".join(c for c in runtime_id.lower() if c.isalnum())[:29]


class JupyterHubProvider:
    name = "jupyterhub"
    # The cluster places GPUs (GPU profiles): the service's own GPU allocator is not used.
    places_gpus = True

    def __init__(
        self,
        url: str,
        token: str,
        *,
        user: str = "cloudbook",
        start_timeout: float = 300,
        limits: RuntimeLimits | None = None,
        poll_interval: float = 0.25,
        direct: bool = True,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.user = user
        self.start_timeout = start_timeout
        self.limits = limits
        self.poll_interval = poll_interval
        # Reach servers at their own address (needs the token's ``proxy`` scope to read the
        # Hub's routing table); turned off for good when the Hub refuses that scope.
        self.direct = direct
        self._client: httpx.AsyncClient | None = None
        self._user_ready = False
        self._reported: dict[str, float] = {}  # server name -> last activity told to the Hub

    # --- the Hub's REST API -------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(60.0, connect=10.0),
                trust_env=False,
                headers={"Authorization": f"token {self.token}"},
                # The Hub's login cookie must never stand in for the token.
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            )
        return self._client

    async def _api(self, method: str, path: str, body: Any = None) -> httpx.Response:
        try:
            return await self._http().request(
                method, f"{self.url}/hub/api{path}", json=body if body is not None else None
            )
        except httpx.HTTPError as exc:
            raise RuntimeStartError(f"The JupyterHub at {self.url} did not answer.") from exc

    def _message(self, response: httpx.Response) -> str:
        try:
            text = str(response.json().get("message") or response.reason_phrase)
        except ValueError:
            text = response.reason_phrase
        return text.replace(self.token, "[token]")

    def _server_path(self, name: str) -> str:
        return f"/users/{quote(self.user, safe='')}/servers/{quote(name, safe='')}"

    async def _ensure_user(self) -> None:
        if self._user_ready:
            return
        r = await self._api("GET", f"/users/{quote(self.user, safe='')}")
        if r.status_code == 404:
            r = await self._api("POST", f"/users/{quote(self.user, safe='')}")
            if r.status_code not in (201, 409):
                raise RuntimeStartError(f"The Hub refused to create its user: {self._message(r)}")
        elif r.status_code != 200:
            raise RuntimeStartError(f"The Hub refused the service token: {self._message(r)}")
        self._user_ready = True

    async def _servers(self) -> dict[str, dict[str, Any]]:
        r = await self._api("GET", f"/users/{quote(self.user, safe='')}")
        if r.status_code == 404:
            return {}
        if r.status_code != 200:
            raise RuntimeStartError(f"The Hub did not list its servers: {self._message(r)}")
        servers: dict[str, dict[str, Any]] = r.json().get("servers") or {}
        return servers

    # --- RuntimeProvider ----------------------------------------------------------

    def user_options(self, spec: RuntimeSpec) -> dict[str, Any]:
        gpu = spec.accelerator == "gpu"
        limits: dict[str, Any] = {}
        if self.limits is not None:
            memory = self.limits.memory_for(spec.shape)
            if memory:
                limits["memory"] = memory
            if self.limits.cpus:
                limits["cpus"] = self.limits.cpus
        return {
            "profile": "gpu" if gpu else "cpu",
            "accelerator": spec.accelerator,
            "gpu_type": spec.gpu_type if gpu else None,
            "shape": spec.shape,
            "limits": limits,
        }

    async def start(self, spec: RuntimeSpec) -> Runtime:
        await self._ensure_user()
        name = server_name(spec.runtime_id)
        r = await self._api(
            "POST", self._server_path(name), {"user_options": self.user_options(spec)}
        )
        if 400 <= r.status_code < 500:
            await self._delete(name)  # the Hub keeps a stopped named server otherwise
            raise RuntimeRefused(f"The cluster refused the runtime: {self._message(r)}")
        if r.status_code not in (201, 202):
            await self._delete(name)
            raise RuntimeStartError(f"The cluster could not start a runtime: {self._message(r)}")
        deadline = time.monotonic() + self.start_timeout
        while True:
            server = (await self._servers()).get(name)
            if server is not None and server.get("ready"):
                prefix = str(server["url"]).rstrip("/")
                direct = await self._direct_url(prefix)
                return Runtime(
                    runtime_id=spec.runtime_id,
                    url=direct or self.url + prefix,
                    token=self.token,
                    sandboxed=False,
                    remote=True,
                )
            if server is None or (not server.get("pending") and not server.get("ready")):
                await self._delete(name)
                raise RuntimeStartError("The cluster could not start a runtime (see the Hub log).")
            if time.monotonic() > deadline:
                await self._delete(name)
                raise RuntimeStartError("The cluster did not start a runtime in time.")
            await asyncio.sleep(self.poll_interval)  # the Hub has no push for "ready"

    async def _direct_url(self, prefix: str) -> str | None:
        """The server's own address (``<target><prefix>``) from the Hub's routing table
        (``GET /hub/api/proxy``, paged), when it answers from here; None: use the proxy."""
        if not self.direct:
            return None
        target = await self._route_target(prefix)
        if target is None:
            return None
        url = target.rstrip("/") + prefix
        try:
            # The server must answer here (a network policy may let only the proxy in).
            r = await self._http().get(f"{url}/api/status", timeout=httpx.Timeout(5.0))
        except httpx.HTTPError:
            log.info("a Hub server's own address does not answer here: using the Hub's proxy")
            return None
        return url if r.status_code == 200 else None

    async def _route_target(self, prefix: str) -> str | None:
        offset = 0
        while True:
            try:
                r = await self._http().get(
                    f"{self.url}/hub/api/proxy",
                    params={"offset": offset, "limit": 200},
                    headers={"Accept": "application/jupyterhub-pagination+json"},
                )
            except httpx.HTTPError:
                return None
            if r.status_code == 403:
                log.info("the Hub token lacks the 'proxy' scope: runtimes go through its proxy")
                self.direct = False
                return None
            if r.status_code != 200:
                return None
            page = r.json()
            for spec, route in (page.get("items") or {}).items():
                # A routespec is "[host]/user/<user>/<name>/".
                if str(spec).rstrip("/").endswith(prefix) and route.get("target"):
                    return str(route["target"])
            pagination = page.get("_pagination") or {}
            if not pagination.get("next"):
                return None
            offset = int(pagination.get("offset", offset)) + int(pagination.get("limit", 200))

    async def report_activity(self, active: dict[str, float]) -> None:
        """Tell the Hub when each runtime was last used (``active``: runtime id -> wall-clock
        time), so that an idle culler on the Hub (jupyterhub-idle-culler, which reads the
        Hub's ``last_activity``) leaves alone a server whose user is at work. The Hub hears
        of that use from nowhere else: kernel frames bypass its proxy, and the server's own
        reports (every 5 minutes) count kernel messages, not a page left open on it."""
        fresh = {
            server_name(rid): when
            for rid, when in active.items()
            if when > self._reported.get(server_name(rid), 0.0)
        }
        if not fresh:
            return
        body = {name: {"last_activity": _iso(when)} for name, when in fresh.items()}
        path = f"/users/{quote(self.user, safe='')}/activity"
        try:
            r = await self._api("POST", path, {"servers": body})
            if r.status_code == 400 and len(body) > 1:
                # One of them was just removed (the Hub refuses the whole batch): one by one.
                for name, info in body.items():
                    await self._api("POST", path, {"servers": {name: info}})
        except RuntimeStartError:
            return  # the Hub is away: the next report says it all again
        self._reported.update(fresh)
        live = {server_name(rid) for rid in active}
        for name in [n for n in self._reported if n not in live]:
            del self._reported[name]

    async def _delete(self, name: str) -> None:
        try:
            r = await self._api("DELETE", self._server_path(name), {"remove": True})
        except RuntimeStartError:
            return
        if r.status_code != 202:
            return
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                if name not in await self._servers():
                    return
            except RuntimeStartError:
                return
            await asyncio.sleep(self.poll_interval)

    async def stop(self, runtime: Runtime) -> None:
        await self._delete(server_name(runtime.runtime_id))

    def reconnect(self, runtime_id: str, url: str) -> Runtime:
        """The runtime as any replica reaches it (the token is the service's own)."""
        return Runtime(
            runtime_id=runtime_id, url=url, token=self.token, sandboxed=False, remote=True
        )

    async def status(self, runtime: Runtime) -> RuntimeStatus:
        try:
            server = (await self._servers()).get(server_name(runtime.runtime_id))
        except RuntimeStartError:
            # The Hub is away (restarting): its servers keep running without it.
            return RuntimeStatus(state="running", sandboxed=False)
        if server is None:
            return RuntimeStatus(state="dead", sandboxed=False)
        if server.get("ready"):
            return RuntimeStatus(state="running", sandboxed=False)
        if server.get("pending") == "spawn":
            return RuntimeStatus(state="starting", sandboxed=False)
        return RuntimeStatus(state="stopped", sandboxed=False)

    async def listening_ports(self, runtime: Runtime) -> set[int]:
        """What the server's own processes listen on, as it sees them (its pod's network);
        the port proxy then goes through its forwarder (``/api/cloudbook/proxy``)."""
        from cloudbook.runtimes.connect import http_client, http_url

        try:
            r = await http_client(runtime).get(
                http_url(runtime, "/api/cloudbook/ports"),
                headers={"Authorization": f"token {runtime.token}"},
            )
        except httpx.HTTPError:
            return set()
        if r.status_code != 200:
            return set()
        return {int(p) for p in r.json().get("ports", []) if isinstance(p, int)}

    async def assign_drive(self, runtime: Runtime, drive_dir: Path) -> bool:
        # A pod cannot see the service's disk: drive.mount on a cluster needs a shared
        # volume in the singleuser image (docs/cluster.md). The warm runtime is kept.
        return True

    async def usage(self, runtime: Runtime) -> RuntimeUsage:
        return RuntimeUsage()

    async def reclaim_orphans(self, records: list[Runtime]) -> None:
        for record in records:
            await self._delete(server_name(record.runtime_id))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
