"""Fixtures of the API tests that need a running service with a warm runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    """A live service whose pool holds one warm runtime (a module may define its own)."""
    settings.pool_size = 1
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server
