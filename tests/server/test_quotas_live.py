"""Runtime quotas on real runtimes with fake GPUs (docs/runtime-types.md): runtimes at
once, GPU hours counted from the runtime records; admins see and stop everyone's
runtimes; disabling a user stops theirs at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server
from tests.server.test_notebooks_api import assert_error
from tests.server.test_runtime_types_api import new_notebook

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 0
    settings.fake_gpus = "T4:2"
    settings.quota_runtimes = 1
    async with live_server(settings) as server:
        yield server


async def _root(live: LiveServer) -> httpx.AsyncClient:
    users = live.services.users
    root = await users.create("root", "long enough", is_admin=True)
    return live.client(await users.create_api_token(root))


async def _account(root: httpx.AsyncClient, name: str) -> dict[str, object]:
    users = (await root.get("/api/admin/users")).json()["users"]
    return dict(next(u for u in users if u["name"] == name))


async def test_runtimes_at_once_and_admin_stops_them(live: LiveServer) -> None:
    root = await _root(live)
    async with root, live.client(await live.token_for("alice")) as alice:
        first = await new_notebook(alice, "one.ipynb", gpu=False)
        second = await new_notebook(alice, "two.ipynb", gpu=False)
        r = await alice.post(f"/api/notebooks/{first}/session")
        assert r.status_code == 200, r.text
        runtime_id = r.json()["runtime_id"]
        # The same notebook again is its runtime, not one more.
        assert (await alice.post(f"/api/notebooks/{first}/session")).json()["runtime_id"] == (
            runtime_id
        )
        r = await alice.post(f"/api/notebooks/{second}/session")
        assert_error(r, 409, "runtime_quota_exceeded")
        assert "most allowed at once (1)" in r.json()["error"]["message"]
        assert_error(await alice.get(f"/api/notebooks/{second}/session"), 404)

        r = await root.get("/api/admin/runtimes")
        assert r.status_code == 200, r.text
        listed = r.json()["runtimes"]
        assert listed == [
            {"id": runtime_id, "owner": "alice", "notebook_id": first, "gpu": None, "kind": "local"}
        ]
        assert (await _account(root, "alice"))["runtimes"] == 1
        assert_error(await alice.delete(f"/api/admin/runtimes/{runtime_id}"), 403, "admin_only")
        assert (await root.delete(f"/api/admin/runtimes/{runtime_id}")).status_code == 204
        assert (await root.get("/api/admin/runtimes")).json()["runtimes"] == []
        assert_error(await alice.get(f"/api/notebooks/{first}/session"), 404)
        assert (await alice.post(f"/api/notebooks/{second}/session")).status_code == 200
        assert_error(await root.delete("/api/admin/runtimes/no-such-runtime"), 404)


async def test_gpu_hours_are_counted_and_enforced(live: LiveServer) -> None:
    root = await _root(live)
    async with root, live.client(await live.token_for("gina")) as gina:
        gpu_nb = await new_notebook(gina, "gpu.ipynb")
        cpu_nb = await new_notebook(gina, "cpu.ipynb", gpu=False)
        r = await gina.post(f"/api/notebooks/{gpu_nb}/session")
        assert r.status_code == 200 and r.json()["accelerator"] == "gpu", r.text
        assert (await gina.delete(f"/api/notebooks/{gpu_nb}/session")).status_code == 204
        used = (await _account(root, "gina"))["gpu_hours"]
        assert isinstance(used, float) and used > 0
        # Her allowance is what she has used: the next GPU runtime is refused ...
        gina_id = (await _account(root, "gina"))["id"]
        change = {"quotas": {"gpu_hours": used}}
        assert (await root.patch(f"/api/admin/users/{gina_id}", json=change)).status_code == 200
        r = await gina.post(f"/api/notebooks/{gpu_nb}/session")
        assert_error(r, 409, "gpu_quota_exceeded")
        assert "GPU hour" in r.json()["error"]["message"]
        assert (await root.get("/api/admin/runtimes")).json()["runtimes"] == []
        # ... a CPU one is not, and more hours let the GPU one start again.
        assert (await gina.post(f"/api/notebooks/{cpu_nb}/session")).status_code == 200
        await gina.delete(f"/api/notebooks/{cpu_nb}/session")
        change = {"quotas": {"gpu_hours": used + 10}}
        await root.patch(f"/api/admin/users/{gina_id}", json=change)
        assert (await gina.post(f"/api/notebooks/{gpu_nb}/session")).status_code == 200


async def test_disabling_a_user_stops_their_runtimes(live: LiveServer) -> None:
    root = await _root(live)
    async with root, live.client(await live.token_for("dan")) as dan:
        nb = await new_notebook(dan, "d.ipynb", gpu=False)
        assert (await dan.post(f"/api/notebooks/{nb}/session")).status_code == 200
        dan_id = (await _account(root, "dan"))["id"]
        r = await root.patch(f"/api/admin/users/{dan_id}", json={"disabled": True})
        assert r.json()["disabled"] is True and r.json()["runtimes"] == 0
        assert (await root.get("/api/admin/runtimes")).json()["runtimes"] == []
        assert_error(await dan.get(f"/api/notebooks/{nb}/session"), 401, "invalid_token")


async def test_runtimes_of_a_user_disabled_elsewhere_stop_at_the_next_sweep(
    live: LiveServer,
) -> None:
    """Disabled by the CLI or another replica (this one was not told): the idle sweep
    stops their runtimes."""
    from cloudbook.services.admin import change_account

    async with live.client(await live.token_for("erin")) as erin:
        nb = await new_notebook(erin, "e.ipynb", gpu=False)
        assert (await erin.post(f"/api/notebooks/{nb}/session")).status_code == 200
        erin_id = (await live.services.users.get_by_name("erin")).id
        assert live.services.runtimes.held_by(erin_id) == 1
        await change_account(live.services.db, erin_id, disabled=True)
        assert await live.services.runtimes.reap_idle() != []
        assert live.services.runtimes.held_by(erin_id) == 0


async def test_a_gpu_runtime_past_the_gpu_hours_stops_at_the_sweep(live: LiveServer) -> None:
    """Running when the allowance runs out: the sweep stops the GPU runtime (audited with
    reason "quota"); a CPU runtime of the same user keeps running."""
    root = await _root(live)
    async with root, live.client(await live.token_for("gus")) as gus:
        gpu_nb = await new_notebook(gus, "g.ipynb")
        r = await gus.post(f"/api/notebooks/{gpu_nb}/session")
        assert r.status_code == 200 and r.json()["accelerator"] == "gpu", r.text
        gpu_runtime = r.json()["runtime_id"]
        gus_id = (await _account(root, "gus"))["id"]
        manager = live.services.runtimes
        assert await manager.reap_idle() == []  # no quota yet: it keeps running
        change = {"quotas": {"gpu_hours": 0, "runtimes": 2}}
        assert (await root.patch(f"/api/admin/users/{gus_id}", json=change)).status_code == 200
        cpu_nb = await new_notebook(gus, "c.ipynb", gpu=False)
        r = await gus.post(f"/api/notebooks/{cpu_nb}/session")
        assert r.status_code == 200, r.text
        assert await manager.reap_idle() == [gpu_runtime]
        assert manager.held_by(gus_id) == 1  # the CPU one
        page = (await root.get("/api/admin/audit", params={"kind": "runtime.stopped"})).json()
        assert [(e["target"], e["detail"]["reason"]) for e in page["events"]] == [
            (gpu_runtime, "quota")
        ]
