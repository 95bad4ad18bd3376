"""Service replicas as separate ``cloudbook serve`` processes (tests and bench/cluster.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.hub_fixtures import RealHub, free_port


async def create_pg_database(server_url: str, prefix: str = "cb_test") -> tuple[str, str]:
    """A new, empty database on the PostgreSQL server: (its name, its SQLAlchemy URL)."""
    import asyncpg

    plain = server_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    return name, base.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(server_url: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start_replica(
    data_dir: Path,
    db_url: str,
    hub: RealHub | None,
    name: str,
    *,
    pool_size: int = 0,
    env_extra: dict[str, str] | None = None,
) -> Replica:
    """A replica with runtimes on ``hub``, or (``None``) local runtimes of its own."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDBOOK_")}
    if hub is not None:
        env.update(
            CLOUDBOOK_RUNTIME_PROVIDER="jupyterhub",
            CLOUDBOOK_JUPYTERHUB_URL=hub.url,
            CLOUDBOOK_JUPYTERHUB_TOKEN=hub.token,
        )
    env.update(
        CLOUDBOOK_DATA_DIR=str(data_dir),
        CLOUDBOOK_DATABASE_URL=db_url,
        CLOUDBOOK_REPLICA_URL=f"http://127.0.0.1:{port}",
        CLOUDBOOK_REPLICA_HEARTBEAT="1",
        CLOUDBOOK_POOL_SIZE=str(pool_size),
        CLOUDBOOK_RUNTIME_START_TIMEOUT="240",
    )
    env.update(env_extra or {})
    log = data_dir.parent / f"replica-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cloudbook", "serve", "--port", str(port), "--no-browser"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    replica = Replica(process, port, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"replica {name} exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            health = httpx.get(f"{replica.base}/api/health", timeout=2).json()
            if health["ready"] and health["status"] == "ok":
                return replica
        time.sleep(0.2)  # polling a starting process
    replica.kill()
    raise RuntimeError(f"replica {name} did not start:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def redis_server(work: Path) -> Iterator[str]:
    """A real redis-server on a loopback port, nothing saved: its ``redis://`` URL."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is missing: run `make system-deps`")
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [binary, *args, "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)  # waiting for its port to open
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


async def reclaim_local_runtimes(data_dir: Path) -> None:
    """After the replicas are gone: what their local runtimes left (a SIGKILLed replica's
    runtime dies with it, but its disk stays mounted), as a restarted service would."""
    from cloudbook.server.cluster import make_provider
    from cloudbook.settings import Settings

    provider = make_provider(Settings(data_dir=data_dir, sandbox="auto"))
    await provider.reclaim_orphans([])


async def api_token(db_url: str, name: str) -> str:
    from cloudbook.services.users import UserService
    from cloudbook.store.database import Database

    db = Database(db_url)
    try:
        users = UserService(db, 14)
        user = await users.create(name, "long enough password")
        return str(await users.create_api_token(user))
    finally:
        await db.dispose()
