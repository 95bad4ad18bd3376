"""Connect a notebook to a Jupyter server the user runs and the service can reach.

This makes the service open connections to an address a user typed, so it is off
unless the operator lists where it may go (``CLOUDBOOK_ATTACH_ALLOWED``: networks in
CIDR form and/or exact host names). Every address the host name resolves to must be
inside the list; URLs carrying credentials and schemes other than http/https are
refused. See docs/runtime-types.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

from cloudbook.runtimes.provider import Runtime, RuntimeStatus
from cloudbook.services.errors import Forbidden, InvalidInput, ServiceError

# Pages of a Jupyter server a pasted URL may point at; the server's base is above them.
UI_SUFFIXES = ("/tree", "/lab", "/notebooks")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Allowlist:
    networks: tuple[Network, ...]
    hosts: frozenset[str]

    @classmethod
    def parse(cls, value: str | None) -> Allowlist:
        networks: list[Network] = []
        hosts: set[str] = set()
        for item in (value or "").replace(" ", ",").split(","):
            item = item.strip().lower()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item)
        return cls(tuple(networks), frozenset(hosts))

    @property
    def enabled(self) -> bool:
        return bool(self.networks or self.hosts)


def parse_server_url(url: str, token: str | None) -> tuple[str, str]:
    """``http://host:8888/lab?token=abc`` → (``http://host:8888``, ``abc``)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput("That is not a URL.", code="invalid_runtime_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "The runtime URL must start with http:// or https:// and name a host.",
            code="invalid_runtime_url",
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "Put no user name or password in the URL; give the server's token instead.",
            code="invalid_runtime_url",
        )
    path = parts.path.rstrip("/")
    for suffix in UI_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    query_token = parse_qs(parts.query).get("token", [""])[0]
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is not None:
        netloc += f":{port}"
    base = urlunsplit((parts.scheme, netloc, path, "", ""))
    return base, (token or "").strip() or query_token


async def check_allowed(base: str, allowed: Allowlist) -> None:
    if not allowed.enabled:
        raise Forbidden(
            "Connecting to a runtime by URL is turned off on this service (an operator "
            "turns it on with CLOUDBOOK_ATTACH_ALLOWED). A runtime on your own computer "
            "works with 'Connect to a local runtime'.",
            code="attach_disabled",
        )
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    if host in allowed.hosts:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise InvalidInput(f"The host {host} was not found.", code="attach_unreachable") from None
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    if not addresses or not all(any(a in n for n in allowed.networks) for a in addresses):
        raise Forbidden(f"This service may not connect to {host}.", code="attach_not_allowed")


async def connect(
    url: str, token: str | None, allowed: Allowlist, kernel_ready_timeout: float = 60
) -> tuple[Runtime, str]:
    """Check the URL and the server, start a kernel there; (runtime, kernel id)."""
    from cloudbook.runtimes.jupyter_api import JupyterApiError, JupyterServerClient

    base, secret = parse_server_url(url, token)
    await check_allowed(base, allowed)
    runtime = Runtime(runtime_id=f"attach-{uuid.uuid4()}", url=base, token=secret, sandboxed=False)
    client = JupyterServerClient(runtime, timeout=10)
    try:
        await client.get_json("/api/kernels")  # needs the token (/api/status may not)
    except JupyterApiError as exc:
        if exc.status in (401, 403):
            raise InvalidInput(
                "The Jupyter server refused the token.", code="attach_token_refused"
            ) from None
        raise ServiceError(
            f"Could not reach a Jupyter server at {base}.", code="attach_unreachable", status=502
        ) from None
    try:
        kernel_id = await client.start_kernel()
        await client.wait_kernel_ready(kernel_id, timeout=kernel_ready_timeout)
    except (JupyterApiError, TimeoutError):
        raise ServiceError(
            f"The Jupyter server at {base} could not start a Python kernel.",
            code="attach_unreachable",
            status=502,
        ) from None
    return runtime, kernel_id


async def attached_status(runtime: Runtime, kernel_id: str) -> RuntimeStatus:
    """Running while our kernel is there (a server restarted by its user has lost it)."""
    from cloudbook.runtimes.jupyter_api import JupyterApiError, JupyterServerClient

    try:
        await JupyterServerClient(runtime, timeout=5).kernel_status(kernel_id)
    except JupyterApiError:
        return RuntimeStatus(state="dead", sandboxed=False)
    return RuntimeStatus(state="running", sandboxed=False)


async def release_attached(runtime: Runtime, kernel_id: str) -> None:
    """Shut down the kernel we started; the server is the user's and keeps running."""
    from cloudbook.runtimes.jupyter_api import JupyterApiError, JupyterServerClient

    try:
        await JupyterServerClient(runtime, timeout=5).delete_kernel(kernel_id)
    except JupyterApiError:
        pass
