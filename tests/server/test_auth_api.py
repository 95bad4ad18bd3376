"""Logging in, XSRF, API tokens, one-time links."""

from __future__ import annotations

from tests.conftest import AppHarness
from tests.server.test_notebooks_api import assert_error


async def test_anonymous_requests_get_401(harness: AppHarness) -> None:
    async with harness.anonymous() as http:
        assert_error(await http.get("/api/notebooks"), 401, "not_authenticated")
        assert_error(await http.get("/api/me"), 401)


async def test_login_me_logout(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    me = (await alice.get("/api/me")).json()
    assert me["name"] == "alice" and me["is_admin"] is False
    assert (await alice.post("/api/auth/logout")).status_code == 204
    assert_error(await alice.get("/api/me"), 401)


async def test_wrong_password_is_refused(harness: AppHarness) -> None:
    await harness.user("alice")
    async with harness.anonymous() as http:
        r = await http.post("/api/auth/login", json={"name": "alice", "password": "wrong pass"})
        assert_error(r, 401, "login_failed")
        r = await http.post("/api/auth/login", json={"name": "nobody", "password": "wrong pass"})
        assert_error(r, 401, "login_failed")
        assert "cloudbook_session" not in http.cookies


async def test_unsafe_requests_need_the_xsrf_token(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    r = await alice.http.post("/api/notebooks", json={"name": "x.ipynb"})
    assert_error(r, 403, "xsrf_failed")
    r = await alice.http.post(
        "/api/notebooks", json={"name": "x.ipynb"}, headers={"X-XSRF-Token": "forged"}
    )
    assert_error(r, 403, "xsrf_failed")
    assert (await alice.get("/api/notebooks")).json()["notebooks"] == []


async def test_api_token_works_without_xsrf(harness: AppHarness) -> None:
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    await harness.user("alice")
    token = await services.users.create_api_token(await services.users.get_by_name("alice"))
    async with harness.anonymous() as http:
        auth = {"Authorization": f"Bearer {token}"}
        r = await http.post("/api/notebooks", json={"name": "t.ipynb"}, headers=auth)
        assert r.status_code == 201, r.text
        assert (await http.get("/api/me", headers=auth)).json()["name"] == "alice"
        bad = {"Authorization": "Bearer cb_not-a-token"}
        assert_error(await http.get("/api/me", headers=bad), 401, "invalid_token")


async def test_first_admin_gets_a_one_time_login_link(harness: AppHarness) -> None:
    link = harness.app.state.cloudbook.login_link  # type: ignore[attr-defined]
    assert link and "/login?token=" in link
    path = link.split("://", 1)[1].split("/", 1)[1]
    async with harness.anonymous() as http:
        r = await http.get("/" + path)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert (await http.get("/api/me")).json() == {"id": 1, "name": "admin", "is_admin": True}
    async with harness.anonymous() as again:
        r = await again.get("/" + path)
        assert r.headers["location"] == "/?login=expired"
        assert_error(await again.get("/api/me"), 401)
