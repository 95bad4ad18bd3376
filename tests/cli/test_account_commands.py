"""`cloudbook user list|disable|enable|admin|quota`, run as an operator would."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloudbook.services.errors import Forbidden
from cloudbook.services.users import UserService
from cloudbook.store.database import Database
from tests.cli.test_admin_commands import cli


def _users(tmp_path: Path) -> tuple[Database, UserService]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloudbook.db'}")
    return db, UserService(db)


def test_disable_enable_admin_and_quota(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    cli("user", "add", "alice", "--password-stdin", *data, stdin="long enough\n")
    token = cli("token", "create", "alice", *data).stdout.strip()
    assert cli("user", "disable", "alice", *data).returncode == 0

    async def locked_out() -> None:
        db, users = _users(tmp_path)
        try:
            assert await users.user_for_api_token(token) is None
            with pytest.raises(Forbidden, match="disabled"):
                await users.verify_password("alice", "long enough")
        finally:
            await db.dispose()

    asyncio.run(locked_out())
    listed = cli("user", "list", *data)
    assert listed.returncode == 0 and "alice\tuser\tdisabled\tpassword" in listed.stdout
    cli("user", "enable", "alice", *data)
    cli("user", "admin", "alice", *data)
    assert "alice\tadmin\tactive" in cli("user", "list", *data).stdout
    changed = cli("user", "quota", "alice", "--drive", "1G", "--gpu-hours", "2.5", *data)
    assert changed.returncode == 0, changed.stderr

    async def check() -> None:
        from cloudbook.services.quotas import Quotas, QuotaService

        db, users = _users(tmp_path)
        try:
            alice = await users.verify_password("alice", "long enough")
            assert alice.is_admin and await users.user_for_api_token(token) == alice
            quotas = await QuotaService(db, tmp_path, Quotas(None, 3, None)).for_user(alice.id)
            assert quotas == Quotas(drive_bytes=1 << 30, runtimes=3, gpu_hours=2.5)
        finally:
            await db.dispose()

    asyncio.run(check())
    bad = cli("user", "quota", "alice", "--drive", "lots", *data)
    assert bad.returncode == 2 and "not a size" in bad.stderr and "Traceback" not in bad.stderr
    nobody = cli("user", "disable", "nobody", *data)
    assert nobody.returncode == 1 and "No user named 'nobody'" in nobody.stderr
