"""Replicas that find each other through a real Redis (``CLOUDBOOK_REDIS_URL``): two
``cloudbook serve`` processes on one PostgreSQL store register and beat in Redis, not in
the store; B forwards REST for A's runtime to the URL Redis gives; A killed, B finds it
dead in Redis and takes its runtime records over."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.cluster_procs import (
    Replica,
    api_token,
    reclaim_local_runtimes,
    redis_server,
    start_replica,
)
from tests.conftest import POSTGRES_URL
from tests.server.test_replica_rest import client

pytestmark = [
    pytest.mark.timeout(400),
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CLOUDBOOK_TEST_POSTGRES_URL"),
]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path / "redis") as url:
        yield url


@pytest.fixture
async def redis_replicas(
    tmp_path: Path, pg_url: str, redis_url: str
) -> AsyncIterator[tuple[Replica, Replica]]:
    data = tmp_path / "shared-data"
    env = {"CLOUDBOOK_REDIS_URL": redis_url}
    a = start_replica(data, pg_url, None, "a", env_extra=env)
    b = None
    try:
        b = start_replica(data, pg_url, None, "b", env_extra=env)
        yield a, b
    finally:
        for replica in (a, b):
            if replica is not None:
                replica.kill()
        await reclaim_local_runtimes(data)


async def store_replica_rows(db_url: str) -> int:
    from sqlalchemy import func, select

    from cloudbook.store.database import Database
    from cloudbook.store.models import Replica as ReplicaRow

    db = Database(db_url)
    try:
        async with db.session() as s:
            return int((await s.execute(select(func.count()).select_from(ReplicaRow))).scalar_one())
    finally:
        await db.dispose()


async def test_replicas_find_each_other_in_redis_and_take_over_a_dead_one(
    redis_replicas: tuple[Replica, Replica], pg_url: str, redis_url: str
) -> None:
    import redis.asyncio

    a, b = redis_replicas
    r = redis.asyncio.from_url(redis_url, decode_responses=True)
    try:
        urls = await r.hgetall("cloudbook:replica-urls")
        assert sorted(urls.values()) == sorted([a.base, b.base])
        assert await store_replica_rows(pg_url) == 0  # discovery is Redis's, not the store's

        alice = await api_token(pg_url, "alice")
        async with client(a, alice) as http_a, client(b, alice) as http_b:
            nb = (await http_a.post("/api/notebooks", json={"name": "r.ipynb"})).json()
            session = (await http_a.post(f"/api/notebooks/{nb['id']}/session")).json()
            rid = session["runtime_id"]
            # B learns A's URL from Redis and forwards.
            up = await http_b.put(
                f"/api/runtimes/{rid}/files/content",
                params={"path": "/content/r.txt"},
                content=b"through redis",
            )
            assert up.status_code == 200, up.text
            listed = await http_b.get(f"/api/runtimes/{rid}/files", params={"path": "/content"})
            assert "r.txt" in {e["name"] for e in listed.json()["entries"]}

            a.kill()  # its heartbeat key expires; B claims it
            deadline = time.monotonic() + 120
            while a.base in (await r.hgetall("cloudbook:replica-urls")).values() or await r.hlen(
                "cloudbook:claiming"
            ):
                assert time.monotonic() < deadline, "B never claimed the dead replica"
                await asyncio.sleep(0.2)  # B's heartbeat loop runs every second
            # A local runtime dies with its replica: B took the record over and forgot it.
            gone = await http_b.get(f"/api/runtimes/{rid}")
            assert gone.status_code == 404, gone.text
            fresh = await http_b.post(f"/api/notebooks/{nb['id']}/session")
            assert fresh.status_code == 200, fresh.text
            assert fresh.json()["runtime_id"] != rid
            assert (await http_b.get(f"/api/runtimes/{fresh.json()['runtime_id']}")).json()[
                "state"
            ] == "running"
    finally:
        await r.aclose()


def test_a_redis_url_of_another_scheme_is_refused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from cloudbook.settings import Settings

    with pytest.raises(ValidationError, match="CLOUDBOOK_REDIS_URL must start with redis://"):
        Settings(data_dir=tmp_path, redis_url="http://127.0.0.1:6379")
    assert Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0").redis_url
