"""The audit log (docs/audit.md): what each action writes, the admin route's filters and
pages, retention, and that no password, token or link secret reaches the store or a log
line. Runs on SQLite and, with CLOUDBOOK_TEST_POSTGRES_URL, on PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from cloudbook.services.audit import AuditLog
from tests.conftest import AppHarness, Client
from tests.server.test_admin_api import _admin
from tests.server.test_notebooks_api import assert_error

pytestmark = pytest.mark.timeout(180)


def _services(harness: AppHarness) -> Any:
    return harness.app.state.cloudbook.services  # type: ignore[attr-defined]


async def _events(root: Client, **params: Any) -> list[dict[str, Any]]:
    r = await root.get("/api/admin/audit", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["events"])


async def _store_dump(harness: AppHarness) -> str:
    async with _services(harness).db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM audit_events"))).all()
    return "\n".join(repr(tuple(row)) for row in rows)


async def test_sign_ins_are_audited_without_any_secret(
    harness: AppHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="cloudbook")
    services = _services(harness)
    password = "Tr0ub4dor&3-unique-pw"
    await services.users.create("erin", password)
    root = await _admin(harness)
    async with harness.anonymous() as http:
        wrong = "wrong-Tr0ub4dor-guess"
        assert_error(
            await http.post("/api/auth/login", json={"name": "erin", "password": wrong}), 401
        )
        # A password typed into the name field is not written down.
        r = await http.post("/api/auth/login", json={"name": password, "password": password})
        assert_error(r, 401)
        r = await http.post("/api/auth/login", json={"name": "erin", "password": password})
        assert r.status_code == 200
        cookie = http.cookies.get("cloudbook_session")
        assert cookie
        xsrf = http.cookies.get("cloudbook_xsrf") or ""
        assert (
            await http.post("/api/auth/logout", headers={"X-XSRF-Token": xsrf})
        ).status_code == 204
    link = await services.users.create_login_link(await services.users.get_by_name("erin"))
    async with harness.anonymous() as http:
        r = await http.get("/login", params={"token": link})
        assert r.status_code == 303 and r.headers["location"] == "/"
        r = await http.get("/login", params={"token": link})  # spent
        assert r.headers["location"] == "/?login=expired"
        api_token = await services.users.create_api_token(await services.users.get_by_name("erin"))
        r = await http.get("/api/me", headers={"Authorization": f"Bearer {api_token}"})
        assert r.status_code == 200

    events = await _events(root, user="erin")
    kinds = [(e["kind"], e["detail"].get("method")) for e in events]
    assert kinds == [
        ("signin.link", None),
        ("signout", None),
        ("signin.password", None),
        ("signin.failed", "password"),
    ], kinds
    failed = events[-1]
    assert failed["subject"] == "erin" and failed["actor"] is None
    assert failed["detail"]["reason"] == "login_failed"
    assert events[0]["actor"] == "erin" and events[0]["detail"]["address"]
    every = await _events(root, kind="signin.failed")
    # The spent link (its account is unknown once spent) and the password-as-name try:
    # neither names anyone.
    assert [e["subject"] for e in every] == [None, None, "erin"]
    assert {e["detail"]["method"] for e in every} == {"link", "password"}

    stored = await _store_dump(harness)
    # The server's log lines (httpx's are this test's own client).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    # Each event is also a log line (so the check below looks at something).
    assert "signin.password" in logged and "signin.link" in logged
    for secret in (password, wrong, link, cookie, api_token, xsrf):
        assert secret not in stored
        assert secret not in logged
        assert secret not in str(await _events(root, limit=200))


def test_uvicorn_lines_carry_no_login_link() -> None:
    """The login link's token travels in the query; a server log line drops it."""
    from cloudbook.server import log_redaction

    log_redaction.install()
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("uvicorn.access")
    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning('%s - "GET %s HTTP/1.1" %d', "127.0.0.1", "/login?token=abc123SECRET", 303)
    finally:
        logger.removeHandler(handler)
    assert seen and "abc123SECRET" not in seen[0] and "/login" in seen[0]


async def test_sharing_and_ownership_changes_are_audited(harness: AppHarness) -> None:
    root = await _admin(harness)
    owner = await harness.user("olga")
    await harness.user("vic")
    nb = (await owner.post("/api/notebooks", json={"name": "report.ipynb"})).json()
    shares = f"/api/notebooks/{nb['id']}/shares"
    assert (await owner.post(shares, json={"user": "vic", "role": "viewer"})).status_code < 300
    assert (await owner.patch(f"{shares}/vic", json={"role": "editor"})).status_code < 300
    # The same role again changes nothing and writes nothing.
    assert (await owner.patch(f"{shares}/vic", json={"role": "editor"})).status_code < 300
    r = await owner.put(f"/api/notebooks/{nb['id']}/general-access", json={"role": "viewer"})
    assert r.status_code == 200
    assert (await owner.delete(f"{shares}/vic")).status_code < 300
    assert (await owner.post("/api/folders", json={"path": "team"})).status_code == 201
    r = await owner.post(
        "/api/folder-shares", params={"path": "team"}, json={"user": "vic", "role": "commenter"}
    )
    assert r.status_code == 200, r.text
    r = await owner.post(f"/api/notebooks/{nb['id']}/owner", json={"user": "vic"})
    assert r.status_code == 200, r.text

    events = await _events(root, kind="share")
    rows = [(e["kind"], e["subject"], e["detail"]["role"], e["detail"]["previous"]) for e in events]
    notebook_rows = [row for e, row in zip(events, rows, strict=True) if e["target"] == nb["id"]]
    assert notebook_rows == [
        ("share.removed", "vic", None, "editor"),
        ("share.general", None, "viewer", None),
        ("share.changed", "vic", "editor", "viewer"),
        ("share.added", "vic", "viewer", None),
    ]
    assert all(e["actor"] == "olga" for e in events)
    folder = [e for e in events if e["target"] != nb["id"]]
    assert [(e["kind"], e["subject"], e["detail"]["item"]) for e in folder] == [
        ("share.added", "vic", "folder")
    ]
    assert folder[0]["target"].endswith(":team")
    moved = await _events(root, kind="ownership.transferred")
    assert len(moved) == 1
    assert (moved[0]["actor"], moved[0]["subject"], moved[0]["target"]) == (
        "olga",
        "vic",
        nb["id"],
    )
    # A refused change writes nothing: vic (now owner) is fine, olga (editor) is not.
    r = await owner.post(shares, json={"user": "root", "role": "editor"})
    assert r.status_code in (403, 404)
    assert len(await _events(root, kind="share")) == len(events)


async def test_admin_actions_are_audited(harness: AppHarness) -> None:
    root = await _admin(harness)
    r = await root.post("/api/admin/users", json={"name": "carol", "password": "long enough"})
    carol = r.json()["id"]
    await root.patch(f"/api/admin/users/{carol}", json={"disabled": True})
    await root.patch(f"/api/admin/users/{carol}", json={"disabled": False})
    await root.patch(f"/api/admin/users/{carol}", json={"is_admin": True})
    await root.patch(f"/api/admin/users/{carol}", json={"is_admin": False})
    await root.patch(f"/api/admin/users/{carol}", json={"quotas": {"runtimes": 2}})
    await root.patch(f"/api/admin/users/{carol}", json={"quotas": {"runtimes": 2}})  # same
    await root.post(f"/api/admin/users/{carol}/password", json={"password": "brand-new-secret"})
    events = await _events(root, kind="account")
    assert [e["kind"] for e in events] == [
        "account.password_reset",
        "account.quota",
        "account.admin_revoked",
        "account.admin_granted",
        "account.enabled",
        "account.disabled",
        "account.added",
    ]
    assert {(e["actor"], e["subject"]) for e in events} == {("root", "carol")}
    assert events[1]["detail"] == {"runtimes": 2, "via": "api"}
    assert "brand-new-secret" not in await _store_dump(harness)


async def test_filters_pages_and_admins_only(harness: AppHarness) -> None:
    root = await _admin(harness)
    services = _services(harness)
    audit: AuditLog = services.audit
    for n in range(7):
        await audit.record("account.quota", detail={"n": n})
    first = (await root.get("/api/admin/audit", params={"limit": 3, "kind": "account"})).json()
    assert [e["detail"]["n"] for e in first["events"]] == [6, 5, 4]
    second = (
        await root.get(
            "/api/admin/audit",
            params={"limit": 3, "kind": "account", "before": first["next_before"]},
        )
    ).json()
    assert [e["detail"]["n"] for e in second["events"]] == [3, 2, 1]
    last = (
        await root.get(
            "/api/admin/audit",
            params={"limit": 3, "kind": "account", "before": second["next_before"]},
        )
    ).json()
    assert [e["detail"]["n"] for e in last["events"]] == [0] and last["next_before"] is None
    # Time range: everything so far is before "until now + 1 min", nothing after "since".
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert await _events(root, since=later) == []
    assert len(await _events(root, until=later, kind="account")) == 7
    assert_error(await root.get("/api/admin/audit", params={"kind": "nonsense"}), 400)
    assert_error(await root.get("/api/admin/audit", params={"limit": 0}), 422)
    bob = await harness.user("bob")
    assert_error(await bob.get("/api/admin/audit"), 403, "admin_only")
    async with harness.anonymous() as http:
        assert_error(await http.get("/api/admin/audit"), 401)


async def test_retention_prunes_old_events(harness: AppHarness) -> None:
    services = _services(harness)
    audit = AuditLog(services.db, retention_days=30)
    await audit.record("account.quota", detail={"n": 1})
    assert await audit.prune(datetime.now(UTC) + timedelta(days=29)) == 0
    assert await audit.prune(datetime.now(UTC) + timedelta(days=31)) >= 1
    assert (await audit.events(kind="account.quota")).events == []
    forever = AuditLog(services.db, retention_days=0)
    await forever.record("account.quota", detail={"n": 2})
    assert await forever.prune(datetime.now(UTC) + timedelta(days=10000)) == 0


def test_a_secret_looking_detail_is_refused() -> None:
    audit = AuditLog(None)  # type: ignore[arg-type]
    import asyncio

    with pytest.raises(ValueError, match="secret"):
        asyncio.run(audit.record("signin.failed", detail={"password": "x"}))
    with pytest.raises(ValueError, match="kind"):
        asyncio.run(audit.record("made.up"))


async def test_runtime_starts_and_stops_are_audited(harness: AppHarness) -> None:
    root = await _admin(harness)
    alice = await harness.user("rita")
    manager = _services(harness).runtimes
    started = []
    for name in ("a.ipynb", "b.ipynb", "c.ipynb"):
        nb = (await alice.post("/api/notebooks", json={"name": name})).json()
        r = await alice.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 200, r.text
        started.append(r.json()["runtime_id"])
    assert (await alice.delete(f"/api/runtimes/{started[0]}")).status_code == 204
    assert (await root.delete(f"/api/admin/runtimes/{started[1]}")).status_code == 204
    manager.idle_timeout = 0
    assert await manager.reap_idle() == [started[2]]
    stops = await _events(root, kind="runtime.stopped")
    assert [(e["target"], e["detail"]["reason"], e["actor"]) for e in stops] == [
        (started[2], "idle", None),
        (started[1], "admin", "root"),
        (started[0], "user", "rita"),
    ]
    starts = await _events(root, kind="runtime.started", user="rita")
    assert sorted(e["target"] for e in starts) == sorted(started)
    assert all(e["detail"]["accelerator"] == "none" for e in starts)
    assert all(e["subject"] == "rita" for e in starts + stops)
