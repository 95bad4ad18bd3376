"""A real JupyterHub on loopback for tests: ``jupyterhub`` from the package index,
``configurable-http-proxy`` from npm (installed into ``.hub-proxy/`` by ``make hub-proxy``,
or here on first use), the Hub's ``SimpleLocalProcessSpawner`` with cloudbook's
pre-spawn hook (``cloudbook.hub_side``). Every port is found free at run time.

``RealHub.restart()`` stops the Hub and its proxy and starts them again on the same
ports and database: the single-user servers keep running (``cleanup_servers = False``),
as they do when a Hub pod is rescheduled on Kubernetes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
PROXY_DIR = REPO / ".hub-proxy"
PROXY_BIN = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_USER = "cloudbook"
PROXY_PACKAGE = "configurable-http-proxy@5"

CONFIG = """
import json
from cloudbook.hub_side import make_pre_spawn_hook

s = json.load(open({settings!r}))
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = s["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s["hub_port"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % s["proxy_api_port"]
c.ConfigurableHTTPProxy.command = [s["proxy_bin"]]
c.ConfigurableHTTPProxy.auth_token = s["proxy_token"]
c.JupyterHub.db_url = "sqlite:///" + s["dir"] + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = s["dir"] + "/cookie_secret"
c.JupyterHub.pid_file = s["dir"] + "/hub.pid"
c.JupyterHub.allow_named_servers = True
c.JupyterHub.cleanup_servers = False
c.JupyterHub.authenticator_class = "null"
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = s["dir"] + "/home/{{username}}"
c.Spawner.cmd = [s["singleuser"]]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.pre_spawn_hook = make_pre_spawn_hook({{"cpu": {{}}}}, content_root=s["dir"] + "/content")
c.JupyterHub.services = [{{"name": "cloudbook", "api_token": s["token"]}}]
c.JupyterHub.load_roles = [{{
    "name": "cloudbook-runtimes",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "proxy"],
    "services": ["cloudbook"],
}}]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_proxy() -> Path:
    """configurable-http-proxy from npm, in the repository's ``.hub-proxy`` folder."""
    if not PROXY_BIN.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install configurable-http-proxy")
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PROXY_DIR), PROXY_PACKAGE],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return PROXY_BIN


@dataclass
class RealHub:
    dir: Path
    port: int
    token: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.dir / "hub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDBOOK_")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(self.dir / "config.py")],
                cwd=self.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)  # polling a starting process: no event to wait on
        raise RuntimeError(f"JupyterHub did not answer:\n{self.log()}")

    def stop(self) -> None:
        """Stop the Hub and the proxy it started; single-user servers keep running."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def servers(self) -> dict[str, dict[str, object]]:
        r = httpx.get(f"{self.url}/hub/api/users/{HUB_USER}", headers=self.headers, timeout=10)
        if r.status_code == 404:
            return {}
        r.raise_for_status()
        servers: dict[str, dict[str, object]] = r.json().get("servers", {})
        return servers

    def stop_all_servers(self) -> None:
        with contextlib.suppress(httpx.HTTPError):
            for name in self.servers():
                httpx.request(
                    "DELETE",
                    f"{self.url}/hub/api/users/{HUB_USER}/servers/{name}",
                    headers=self.headers,
                    json={"remove": True},
                    timeout=60,
                )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


CULLER = """
c.JupyterHub.services.append({{
    "name": "idle-culler",
    "command": [{python!r}, "-m", "jupyterhub_idle_culler",
                "--timeout={timeout}", "--cull-every={every}", "--remove-named-servers=True"],
}})
c.JupyterHub.load_roles.append({{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers",
               "admin:servers"],
    "services": ["idle-culler"],
}})
"""


def idle_culler_config(timeout: int, every: int) -> str:
    """Hub configuration adding jupyterhub-idle-culler as a Hub-managed service."""
    return CULLER.format(python=sys.executable, timeout=timeout, every=every)


def start_hub(folder: Path, extra_config: str = "") -> RealHub:
    """Write a Hub's configuration into ``folder`` (plus ``extra_config``) and start it."""
    import json

    proxy = ensure_proxy()
    folder.mkdir(parents=True, exist_ok=True)
    hub = RealHub(dir=folder, port=free_port(), token=secrets.token_hex(24))
    settings = {
        "dir": str(folder),
        "port": hub.port,
        "hub_port": free_port(),
        "proxy_api_port": free_port(),
        "proxy_bin": str(proxy),
        "proxy_token": secrets.token_hex(24),
        "token": hub.token,
        "singleuser": str(Path(sys.executable).parent / "jupyterhub-singleuser"),
    }
    (folder / "settings.json").write_text(json.dumps(settings))
    config = CONFIG.format(settings=str(folder / "settings.json")) + extra_config
    (folder / "config.py").write_text(config)
    hub.start()
    return hub


def close_hub(hub: RealHub) -> None:
    if hub.process is None:
        with contextlib.suppress(RuntimeError):
            hub.start()
    hub.stop_all_servers()
    hub.stop()


@pytest.fixture
def real_hub(tmp_path: Path) -> Iterator[RealHub]:
    """A started JupyterHub; every server it spawned is stopped afterwards."""
    hub = start_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        close_hub(hub)
