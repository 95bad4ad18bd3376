"""`cloudbook user add` and `cloudbook token create`, run as a user would run them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from cloudbook.services.users import UserService
from cloudbook.store.database import Database


def cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudbook", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_user_add_then_token_create(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    added = cli(
        "user", "add", "alice", "--password-stdin", "--data-dir", data, stdin="s3cret pass\n"
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == ""
    made = cli("token", "create", "alice", env={"CLOUDBOOK_DATA_DIR": data})
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("cb_")

    async def check() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloudbook.db'}")
        users = UserService(db)
        try:
            alice = await users.verify_password("alice", "s3cret pass")
            assert await users.user_for_api_token(token) == alice
        finally:
            await db.dispose()

    asyncio.run(check())


def test_bad_input_gives_a_clear_error(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    short = cli("user", "add", "bob", "--password-stdin", "--data-dir", data, stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert "Traceback" not in short.stderr
    nobody = cli("token", "create", "nobody", "--data-dir", data)
    assert nobody.returncode == 1 and "No user named 'nobody'" in nobody.stderr
    assert nobody.stdout == ""
    cli("user", "add", "carol", "--password-stdin", "--data-dir", data, stdin="long enough\n")
    twice = cli(
        "user", "add", "carol", "--password-stdin", "--data-dir", data, stdin="long enough\n"
    )
    assert twice.returncode == 1 and "already exists" in twice.stderr
