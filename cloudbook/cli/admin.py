"""User and token commands. They open the store directly, so they work with or
without a server running on the same data dir."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cloudbook.services.identity import UserInfo
from cloudbook.services.users import UserService
from cloudbook.settings import Settings
from cloudbook.store.database import Database

T = TypeVar("T")


def _with_users(settings: Settings, job: Callable[[UserService], Awaitable[T]]) -> T:
    async def run() -> T:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url)
        try:
            await db.upgrade()
            from cloudbook.services.audit import AuditLog

            audit = AuditLog(db, settings.audit_retention_days)
            return await job(UserService(db, settings.session_days, audit=audit))
        finally:
            await db.dispose()

    return asyncio.run(run())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        print(
            "cloudbook: no terminal to ask for the password: run this in a terminal, or pass"
            " --password-stdin and write the password to standard input",
            file=sys.stderr,
        )
        raise SystemExit(2)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        print("cloudbook: the passwords differ", file=sys.stderr)
        raise SystemExit(1)
    return first


def user_add(settings: Settings, name: str, admin: bool, password_stdin: bool) -> int:
    password = _read_password(password_stdin)

    async def job(users: UserService) -> UserInfo:
        user = await users.create(name, password, is_admin=admin)
        await users.audit.record(
            "account.added",
            subject=user,
            detail={"is_admin": admin, "local_login": True, "via": "cli"},
        )
        return user

    user = _with_users(settings, job)
    role = "administrator" if user.is_admin else "user"
    print(f"Created {role} {user.name!r}.", file=sys.stderr)
    return 0


def user_passwd(
    settings: Settings, name: str, password_stdin: bool, revoke_tokens: bool = False
) -> int:
    password = _read_password(password_stdin)

    async def job(users: UserService) -> None:
        user = await users.get_by_name(name)
        await users.set_password(user.id, password, revoke_tokens=revoke_tokens)
        await users.audit.record("account.password_reset", subject=user, detail={"via": "cli"})

    _with_users(settings, job)
    also = " and API tokens" if revoke_tokens else ""
    print(f"Password of {name!r} changed; their browser sessions{also} ended.", file=sys.stderr)
    return 0


def token_create(settings: Settings, user_name: str, label: str) -> int:
    async def job(users: UserService) -> str:
        return await users.create_api_token(await users.get_by_name(user_name), label)

    print(_with_users(settings, job))
    return 0


def token_list(settings: Settings, user_name: str) -> int:
    async def job(users: UserService) -> list[str]:
        tokens = await users.list_api_tokens(await users.get_by_name(user_name))
        return [f"{t.id}\t{t.created_at:%Y-%m-%d %H:%M}\t{t.name}" for t in tokens]

    for line in _with_users(settings, job):
        print(line)
    return 0


def token_revoke(
    settings: Settings, user_name: str, token_id: int | None, label: str | None
) -> int:
    """Revoke one token (``--id``), those with a label (``--name``) or all (``--all``)."""

    async def job(users: UserService) -> int:
        user = await users.get_by_name(user_name)
        return await users.revoke_api_tokens(user, token_id=token_id, name=label)

    count = _with_users(settings, job)
    print(f"Revoked {count} token(s) of {user_name!r}.", file=sys.stderr)
    return 0


def login_link(settings: Settings, user_name: str, url: str | None) -> int:
    async def job(users: UserService) -> str:
        return await users.create_login_link(await users.get_by_name(user_name))

    token = _with_users(settings, job)
    base = (url or settings.base_url).rstrip("/")
    print(f"{base}/login?token={token}")
    return 0
