"""The admin API: every route refused to non-admins (the table comes from the router, so
a new route cannot be forgotten), accounts disabled at once, admin rights, password
resets, and the drive quota refusing a write that would pass it with nothing written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from cloudbook.server.routes.admin import router as admin_router
from tests.conftest import AppHarness, Client
from tests.server.test_notebooks_api import assert_error


def _admin_routes() -> list[tuple[str, str]]:
    routes = []
    for route in admin_router.routes:
        assert isinstance(route, APIRoute)
        for method in sorted(route.methods):
            routes.append((method, route.path))
    return routes


ADMIN_ROUTES = _admin_routes()
BODIES: dict[str, Any] = {
    "POST /api/admin/users": {"name": "intruder", "password": "long enough", "is_admin": True},
    "PATCH /api/admin/users/{user_id}": {"is_admin": True, "disabled": True},
    "POST /api/admin/users/{user_id}/password": {"password": "taken over!"},
}


async def _admin(harness: AppHarness) -> Client:
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    await services.users.create("root", "correct horse", is_admin=True)
    client = await harness.user("alice")  # logs in a plain user, then the admin:
    import httpx

    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=harness.app),  # type: ignore[arg-type]
        base_url="http://testserver",
    )
    r = await http.post("/api/auth/login", json={"name": "root", "password": "correct horse"})
    assert r.status_code == 200, r.text
    assert client.name == "alice"
    return Client(http=http, name="root", xsrf=http.cookies.get("cloudbook_xsrf"))


async def _account_state(root: Client) -> list[dict[str, Any]]:
    users = (await root.get("/api/admin/users")).json()["users"]
    return [{k: u[k] for k in ("name", "is_admin", "disabled", "overrides")} for u in users]


def test_the_table_covers_every_admin_route() -> None:
    assert len(ADMIN_ROUTES) >= 6
    for method, path in ADMIN_ROUTES:
        assert path.startswith("/api/admin/")
        if method in ("POST", "PATCH", "PUT"):
            assert f"{method} {path}" in BODIES or path.endswith("/password"), path


@pytest.mark.parametrize(
    ("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES]
)
async def test_non_admins_are_refused_and_nothing_changes(
    harness: AppHarness, method: str, path: str
) -> None:
    root = await _admin(harness)
    bob = await harness.user("bob")
    alice_id = (await root.get("/api/admin/users")).json()["users"][0]["id"]
    url = re.sub(r"\{user_id\}", str(alice_id), path)
    url = re.sub(r"\{runtime_id\}", "some-runtime", url)
    before = await _account_state(root)
    body = BODIES.get(f"{method} {path}")
    kw: dict[str, Any] = {"json": body} if body is not None else {}
    r = await bob.http.request(method, url, headers={"X-XSRF-Token": bob.xsrf or ""}, **kw)
    assert_error(r, 403, "admin_only")
    async with harness.anonymous() as anonymous:
        assert_error(await anonymous.request(method, url, **kw), 401)
    assert await _account_state(root) == before
    r = await bob.post("/api/auth/login", json={"name": "bob", "password": "taken over!"})
    assert r.status_code == 401


async def test_admin_lists_and_adds_accounts(harness: AppHarness) -> None:
    root = await _admin(harness)
    body = (await root.get("/api/admin/users")).json()
    assert [u["name"] for u in body["users"]] == ["admin", "alice", "root"]
    alice = body["users"][1]
    assert alice["disabled"] is False and alice["has_password"] is True
    assert alice["storage_bytes"] == 0 and alice["gpu_hours"] == 0 and alice["runtimes"] == 0
    assert body["defaults"] == {"drive_bytes": None, "runtimes": None, "gpu_hours": None}
    r = await root.post("/api/admin/users", json={"name": "carol", "password": "long enough"})
    assert r.status_code == 201 and r.json()["name"] == "carol"
    assert_error(await root.post("/api/admin/users", json={"name": "carol"}), 409, "user_exists")
    assert_error(await root.post("/api/admin/users", json={"name": "Bad Name"}), 400)


async def test_a_disabled_user_is_locked_out_at_once(harness: AppHarness) -> None:
    root = await _admin(harness)
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    alice = await harness.user("carol")
    carol_id = (await alice.get("/api/me")).json()["id"]
    token = await services.users.create_api_token(await services.users.get_by_name("carol"))
    async with harness.anonymous() as script:
        auth = {"Authorization": f"Bearer {token}"}
        assert (await script.get("/api/notebooks", headers=auth)).status_code == 200
        r = await root.patch(f"/api/admin/users/{carol_id}", json={"disabled": True})
        assert r.status_code == 200 and r.json()["disabled"] is True
        assert_error(await alice.get("/api/notebooks"), 401)  # the open session
        assert_error(await script.get("/api/notebooks", headers=auth), 401, "invalid_token")
        r = await script.post(
            "/api/auth/login", json={"name": "carol", "password": "correct horse"}
        )
        assert_error(r, 403, "account_disabled")
        # Enabled again: the token works again, the ended session stays ended.
        await root.patch(f"/api/admin/users/{carol_id}", json={"disabled": False})
        assert (await script.get("/api/notebooks", headers=auth)).status_code == 200
        assert_error(await alice.get("/api/notebooks"), 401)


async def test_admin_rights_and_password_reset(harness: AppHarness) -> None:
    root = await _admin(harness)
    bob = await harness.user("bob")
    bob_id = (await bob.get("/api/me")).json()["id"]
    assert_error(await bob.get("/api/admin/users"), 403, "admin_only")
    await root.patch(f"/api/admin/users/{bob_id}", json={"is_admin": True})
    assert (await bob.get("/api/admin/users")).status_code == 200  # at once, same session
    await root.patch(f"/api/admin/users/{bob_id}", json={"is_admin": False})
    assert_error(await bob.get("/api/admin/users"), 403, "admin_only")
    r = await root.post(f"/api/admin/users/{bob_id}/password", json={"password": "short"})
    assert_error(r, 400, "weak_password")
    assert (await bob.get("/api/me")).status_code == 200
    r = await root.post(f"/api/admin/users/{bob_id}/password", json={"password": "brand new pw"})
    assert r.status_code == 204
    assert_error(await bob.get("/api/me"), 401)
    async with harness.anonymous() as http:
        r = await http.post("/api/auth/login", json={"name": "bob", "password": "brand new pw"})
        assert r.status_code == 200


async def test_an_admin_cannot_lock_themselves_out(harness: AppHarness) -> None:
    root = await _admin(harness)
    me = (await root.get("/api/me")).json()["id"]
    for change in ({"disabled": True}, {"is_admin": False}):
        r = await root.patch(f"/api/admin/users/{me}", json=change)
        assert_error(r, 409, "cannot_change_self")
    assert (await root.get("/api/admin/users")).status_code == 200
    assert_error(await root.patch("/api/admin/users/99999", json={"disabled": True}), 404)
    r = await root.patch(f"/api/admin/users/{me}", json={"quotas": {"runtimes": -1}})
    assert r.status_code == 422


async def test_drive_quota_refuses_a_write_and_writes_nothing(
    harness: AppHarness, drive_files: Any
) -> None:
    root = await _admin(harness)
    alice = await harness.user("dora")
    dora_id = (await alice.get("/api/me")).json()["id"]
    nb = (await alice.post("/api/notebooks", json={"name": "a.ipynb"})).json()
    used = (await root.get("/api/admin/users")).json()["users"]
    assert next(u for u in used if u["name"] == "dora")["storage_bytes"] > 0
    r = await root.patch(f"/api/admin/users/{dora_id}", json={"quotas": {"drive_bytes": 4000}})
    assert r.json()["effective"]["drive_bytes"] == 4000
    big = {
        "cells": [
            {
                "id": "c1",
                "cell_type": "code",
                "source": "x" * 5000,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    before = drive_files()
    r = await alice.post("/api/notebooks/import", json={"name": "big.ipynb", "upload": big})
    assert_error(r, 413, "drive_quota_exceeded")
    assert "quota" in r.json()["error"]["message"]
    r = await alice.put(
        f"/api/notebooks/{nb['id']}", json={"content": big, "base_revision": nb["revision"]}
    )
    assert_error(r, 413, "drive_quota_exceeded")
    assert drive_files() == before
    listing = (await alice.get("/api/notebooks")).json()
    assert [n["name"] for n in listing["notebooks"]] == ["a.ipynb"]
    assert (await alice.get(f"/api/notebooks/{nb['id']}")).json()["revision"] == nb["revision"]
    # Back to the default (unlimited): the same write goes through.
    r = await root.patch(f"/api/admin/users/{dora_id}", json={"quotas": {"drive_bytes": None}})
    assert r.json()["effective"]["drive_bytes"] is None
    r = await alice.post("/api/notebooks/import", json={"name": "big.ipynb", "upload": big})
    assert r.status_code == 201


async def test_a_disabled_admin_is_refused_on_every_admin_route(harness: AppHarness) -> None:
    root = await _admin(harness)
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    other = await services.users.create("second", "correct horse", is_admin=True)
    token = await services.users.create_api_token(other)
    await root.patch(f"/api/admin/users/{other.id}", json={"disabled": True})
    before = await _account_state(root)
    async with harness.anonymous() as http:
        auth = {"Authorization": f"Bearer {token}"}
        for method, path in ADMIN_ROUTES:
            url = path.replace("{user_id}", str(other.id)).replace("{runtime_id}", "x")
            body = BODIES.get(f"{method} {path}")
            kw: dict[str, Any] = {"json": body} if body is not None else {}
            r = await http.request(method, url, headers=auth, **kw)
            assert_error(r, 401, "invalid_token")
    assert await _account_state(root) == before


def test_storage_counts_files_not_what_links_point_to(tmp_path: Any) -> None:
    from cloudbook.services.quotas import folder_size

    drive = tmp_path / "drive"
    (drive / "sub").mkdir(parents=True)
    (drive / "sub" / "a.ipynb").write_bytes(b"x" * 300)
    (tmp_path / "big").write_bytes(b"y" * 10_000)
    (drive / "link").symlink_to(tmp_path / "big")
    (drive / "dirlink").symlink_to(tmp_path)
    assert folder_size(drive) == 300
    assert folder_size(tmp_path / "missing") == 0
