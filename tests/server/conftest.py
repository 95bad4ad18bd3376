"""Fixtures of the API tests that need a running service with a warm runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cloudbook.settings import Settings
from tests.cluster_procs import create_pg_database, drop_pg_database
from tests.conftest import POSTGRES_URL
from tests.server.live import LiveServer, live_server


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    """A live service whose pool holds one warm runtime (a module may define its own)."""
    settings.pool_size = 1
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A database of its own on the test PostgreSQL, for replicas sharing one store."""
    assert POSTGRES_URL is not None
    name, url = await create_pg_database(POSTGRES_URL)
    yield url
    await drop_pg_database(POSTGRES_URL, name)
