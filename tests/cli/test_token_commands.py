"""`cloudbook token list/revoke`, `user passwd --revoke-tokens`, and `user add` without a
terminal, run as a user would run them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cloudbook.services.users import UserService
from cloudbook.store.database import Database
from tests.cli.test_admin_commands import cli


def authenticates(data: str, token: str) -> bool:
    async def check() -> bool:
        db = Database(f"sqlite+aiosqlite:///{data}/cloudbook.db")
        try:
            return await UserService(db).user_for_api_token(token) is not None
        finally:
            await db.dispose()

    return asyncio.run(check())


def test_tokens_are_listed_and_revoked(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    cli("user", "add", "alice", "--password-stdin", "--data-dir", data, stdin="long enough\n")
    laptop = cli("token", "create", "alice", "--name", "laptop", "--data-dir", data).stdout.strip()
    ci = cli("token", "create", "alice", "--name", "ci", "--data-dir", data).stdout.strip()
    listed = cli("token", "list", "alice", "--data-dir", data)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [r[2] for r in rows] == ["laptop", "ci"]
    assert laptop not in listed.stdout and ci not in listed.stdout

    revoked = cli("token", "revoke", "alice", "--id", rows[1][0], "--data-dir", data)
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked 1 token" in revoked.stderr
    assert not authenticates(data, ci) and authenticates(data, laptop)
    missing = cli("token", "revoke", "alice", "--id", rows[1][0], "--data-dir", data)
    assert missing.returncode == 1 and "No such token" in missing.stderr
    nothing = cli("token", "revoke", "alice", "--data-dir", data)
    assert nothing.returncode == 2  # one of --id/--name/--all is required

    passwd = cli(
        "user",
        "passwd",
        "alice",
        "--password-stdin",
        "--revoke-tokens",
        "--data-dir",
        data,
        stdin="new long password\n",
    )
    assert passwd.returncode == 0, passwd.stderr
    assert not authenticates(data, laptop)


def test_user_add_without_a_terminal_says_how(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    added = cli("user", "add", "bob", "--data-dir", data, stdin="")
    assert added.returncode == 2
    assert "--password-stdin" in added.stderr and "Traceback" not in added.stderr
    assert "EOFError" not in added.stderr
    again = cli("user", "passwd", "bob", "--data-dir", data, stdin="")
    assert again.returncode == 2 and "Traceback" not in again.stderr
