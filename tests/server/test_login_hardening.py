"""Login and sessions: password changes end other sessions, tokens can be revoked, a
login link works once under parallel use, failed logins are limited, headers are set."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from cloudbook.services.login_throttle import LoginThrottle
from cloudbook.store.models import WebSession
from tests.conftest import AppHarness, Client
from tests.server.test_notebooks_api import assert_error


async def login(harness: AppHarness, name: str, password: str) -> httpx.Response:
    async with harness.anonymous() as http:
        return await http.post("/api/auth/login", json={"name": name, "password": password})


async def test_password_change_ends_other_sessions_and_can_revoke_tokens(
    harness: AppHarness,
) -> None:
    here = await harness.user("alice", "first password")
    elsewhere_http = harness.anonymous()
    r = await elsewhere_http.post(
        "/api/auth/login", json={"name": "alice", "password": "first password"}
    )
    assert r.status_code == 200
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    token = await services.users.create_api_token(await services.users.get_by_name("alice"))
    bearer = {"Authorization": f"Bearer {token}"}

    wrong = await here.post(
        "/api/me/password",
        json={"current_password": "not it at all", "new_password": "second password"},
    )
    assert_error(wrong, 403, "wrong_password")
    assert (await elsewhere_http.get("/api/me")).status_code == 200  # nothing changed
    # Guessing the current password through this route meets the login limits too.
    for _ in range(services.users.throttle.per_account - 1):
        again = await here.post(
            "/api/me/password",
            json={"current_password": "another guess", "new_password": "second password"},
        )
        assert_error(again, 403, "wrong_password")
    limited = await here.post(
        "/api/me/password",
        json={"current_password": "first password", "new_password": "second password"},
    )
    assert_error(limited, 429, "too_many_logins")
    services.users.throttle = LoginThrottle()  # the owner waits out the window

    r = await here.post(
        "/api/me/password",
        json={"current_password": "first password", "new_password": "second password"},
    )
    assert r.status_code == 204, r.text
    assert (await here.get("/api/me")).status_code == 200  # this browser stays logged in
    assert_error(await elsewhere_http.get("/api/me"), 401)  # the other one is logged out
    assert (await here.get("/api/me", headers=bearer)).status_code == 200  # tokens kept
    assert_error(await login(harness, "alice", "first password"), 401, "login_failed")
    assert (await login(harness, "alice", "second password")).status_code == 200

    r = await here.post(
        "/api/me/password",
        json={
            "current_password": "second password",
            "new_password": "third password",
            "revoke_tokens": True,
        },
    )
    assert r.status_code == 204, r.text
    async with harness.anonymous() as http:
        assert_error(await http.get("/api/me", headers=bearer), 401, "invalid_token")
    await elsewhere_http.aclose()


async def test_api_tokens_are_listed_and_revoked_by_their_owner_only(
    harness: AppHarness,
) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    users = harness.app.state.cloudbook.services.users  # type: ignore[attr-defined]
    me = await users.get_by_name("alice")
    keep = await users.create_api_token(me, "laptop")
    drop = await users.create_api_token(me, "ci")
    listed = (await alice.get("/api/tokens")).json()["tokens"]
    assert [t["name"] for t in listed] == ["laptop", "ci"]
    assert "token" not in str(listed).lower().replace("tokens", "")
    ci_id = listed[1]["id"]
    assert (await bob.get("/api/tokens")).json()["tokens"] == []
    assert_error(await bob.delete(f"/api/tokens/{ci_id}"), 404, "no_such_token")
    assert (await alice.delete(f"/api/tokens/{ci_id}")).status_code == 204
    assert_error(await alice.delete(f"/api/tokens/{ci_id}"), 404, "no_such_token")
    async with harness.anonymous() as http:
        gone = await http.get("/api/me", headers={"Authorization": f"Bearer {drop}"})
        assert_error(gone, 401, "invalid_token")
        kept = await http.get("/api/me", headers={"Authorization": f"Bearer {keep}"})
        assert kept.status_code == 200


async def test_a_login_link_used_twelve_times_at_once_opens_one_session(
    harness: AppHarness,
) -> None:
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    admin = await services.users.get_by_name("admin")
    token = await services.users.create_login_link(admin)

    async def use() -> httpx.Response:
        async with harness.anonymous() as http:
            return await http.get(f"/login?token={token}")

    async with services.db.session() as s:
        before = (await s.execute(select(func.count()).select_from(WebSession))).scalar_one()
    answers = await asyncio.gather(*(use() for _ in range(12)))
    assert all(r.status_code == 303 for r in answers)
    logged_in = [r for r in answers if r.headers["location"] == "/"]
    assert len(logged_in) == 1
    assert "cloudbook_session" in logged_in[0].headers.get("set-cookie", "")
    expired = [r for r in answers if r.headers["location"] == "/?login=expired"]
    assert len(expired) == 11 and not any("set-cookie" in r.headers for r in expired)
    async with services.db.session() as s:
        after = (await s.execute(select(func.count()).select_from(WebSession))).scalar_one()
    assert after - before == 1


async def test_failed_logins_are_limited_and_do_not_stall_other_users(
    harness: AppHarness,
) -> None:
    await harness.user("alice")
    bob = await harness.user("bob")
    users = harness.app.state.cloudbook.services.users  # type: ignore[attr-defined]
    per_account = users.throttle.per_account

    async def other_user_works() -> int:
        r = await bob.get("/api/notebooks")
        return r.status_code

    wrong, bobs = await asyncio.gather(
        asyncio.gather(*(login(harness, "alice", f"guess number {i}") for i in range(100))),
        other_user_works(),
    )
    assert bobs == 200
    statuses = sorted(r.status_code for r in wrong)
    assert set(statuses) == {401, 429}
    assert statuses.count(401) <= per_account  # the rest never reached argon2
    limited = next(r for r in wrong if r.status_code == 429)
    assert_error(limited, 429, "too_many_logins")
    assert int(limited.headers["Retry-After"]) > 0
    assert "Retry-After" not in next(r for r in wrong if r.status_code == 401).headers
    # Even the right password waits now (the account is being guessed).
    assert_error(await login(harness, "alice", "correct horse"), 429, "too_many_logins")


async def test_failed_logins_are_limited_per_address(harness: AppHarness) -> None:
    await harness.user("alice")
    users = harness.app.state.cloudbook.services.users  # type: ignore[attr-defined]
    users.throttle = LoginThrottle(per_account=100, per_address=4, window=300)
    for i in range(4):
        assert_error(await login(harness, f"name{i}", "wrong password"), 401, "login_failed")
    # A fifth name from the same address: limited before any password is checked.
    assert_error(await login(harness, "alice", "correct horse"), 429, "too_many_logins")


async def test_every_response_carries_the_security_headers(harness: AppHarness) -> None:
    alice: Client = await harness.user("alice")
    for response in (
        await alice.get("/"),
        await alice.get("/api/me"),
        await alice.get("/api/notebooks/not-there"),
        await alice.get("/openapi.json"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
