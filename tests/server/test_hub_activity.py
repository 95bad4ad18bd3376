"""A Hub that culls idle servers (jupyterhub-idle-culler, as operators run it) leaves
alone the runtime a cloudbook page is connected to: the service tells the Hub of the use
it sees, which the Hub cannot see itself once kernels are reached past its proxy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudbook.runtimes.jupyterhub import server_name
from cloudbook.settings import Settings
from tests.hub_fixtures import RealHub, close_hub, idle_culler_config, start_hub
from tests.jupyter_fixtures import execute_result
from tests.server.live import live_server
from tests.server.test_jupyterhub_provider import hub_settings, kernel_ws, new_session

pytestmark = pytest.mark.timeout(400)

IDLE_SECONDS = 8  # the culler's timeout: far above the service's report interval (1 s)


@pytest.fixture
def culling_hub(tmp_path: Path) -> Iterator[RealHub]:
    hub = start_hub(tmp_path / "hub", idle_culler_config(IDLE_SECONDS, every=2))
    try:
        yield hub
    finally:
        close_hub(hub)


async def test_a_runtime_in_use_is_not_culled_by_the_hub(
    settings: Settings, culling_hub: RealHub
) -> None:
    settings = hub_settings(settings, culling_hub)
    settings.pool_size = 0
    settings.reap_interval = 1
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        in_use = await new_session(live, token, "in-use.ipynb")
        async with kernel_ws(live, token, in_use) as page:
            assert execute_result(await page.execute("x = 1\nx", timeout=120)) == "1"
            # Another notebook's runtime that no page uses: the culler's proof of life.
            unused = await new_session(live, token, "unused.ipynb")
            deadline = time.monotonic() + 180
            while server_name(unused["runtime_id"]) in culling_hub.servers():
                assert time.monotonic() < deadline, "the culler never culled the idle server"
                await asyncio.sleep(0.5)  # polling the Hub: it has no event for a cull
            # Idle as long as the culled one, the page's runtime is still there and runs.
            assert server_name(in_use["runtime_id"]) in culling_hub.servers()
            assert execute_result(await page.execute("x + 1", timeout=60)) == "2"
