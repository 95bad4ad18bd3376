"""The store on SQLite and PostgreSQL: migrations, users, notebooks, revisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

import cloudbook.store
from cloudbook.services.errors import Conflict, InvalidInput, NotAuthenticated
from cloudbook.services.nbcontent import empty_notebook
from cloudbook.services.notebooks import NotebookService
from cloudbook.services.users import UserService
from cloudbook.store.database import Database


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.dispose()


async def test_upgrade_is_idempotent_and_records_head(db: Database) -> None:
    await db.upgrade()
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    # The newest migration file, so this keeps checking the head as migrations are added.
    versions = Path(cloudbook.store.__file__).parent / "migrations" / "versions"
    newest = max(p.name.split("_")[0] for p in versions.glob("[0-9]*_*.py"))
    assert version.split("_")[0] == newest  # "0009_<branch>" until the lead re-chains


async def test_users_passwords_and_tokens(db: Database) -> None:
    users = UserService(db)
    alice = await users.create("alice", "long enough", is_admin=True)
    assert (await users.verify_password("alice", "long enough")) == alice
    with pytest.raises(NotAuthenticated):
        await users.verify_password("alice", "wrong password")
    with pytest.raises(Conflict):
        await users.create("alice", "another one")
    with pytest.raises(InvalidInput):
        await users.create("Bad Name", "long enough")
    with pytest.raises(InvalidInput):
        await users.create("shorty", "short")
    token = await users.create_api_token(alice)
    assert await users.user_for_api_token(token) == alice
    assert await users.user_for_api_token(token + "x") is None
    session = await users.open_web_session(alice)
    assert await users.user_for_web_session(session.token) == (alice, session.xsrf_token)
    await users.close_web_session(session.token)
    assert await users.user_for_web_session(session.token) is None
    async with db.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT password_hash FROM users"))).scalar()
    assert stored.startswith("$argon2")


async def test_notebook_revisions_are_pruned(db: Database, tmp_path: Path) -> None:
    users = UserService(db)
    alice = await users.create("alice", "long enough")
    service = NotebookService(db, tmp_path / "drive", max_revisions=3)
    info = await service.create(alice, "n.ipynb")
    for rev in range(1, 6):
        nb = empty_notebook()
        nb["metadata"]["rev"] = rev
        info = await service.save(alice, info.id, nb, rev)
    revisions = await service.revisions(alice, info.id)
    assert [r.revision for r in revisions] == [6, 5, 4]
    _, content = await service.get(alice, info.id)
    assert content["metadata"]["rev"] == 5


async def test_concurrent_saves_from_one_base_let_exactly_one_win(
    db: Database, tmp_path: Path
) -> None:
    import asyncio

    users = UserService(db)
    alice = await users.create("alice", "long enough")
    service = NotebookService(db, tmp_path / "drive")
    info = await service.create(alice, "race.ipynb")

    async def save(tag: int) -> bool:
        nb = empty_notebook()
        nb["metadata"]["tag"] = tag
        try:
            await service.save(alice, info.id, nb, 1)
        except Conflict:
            return False
        return True

    results = await asyncio.gather(*(save(i) for i in range(5)))
    assert results.count(True) == 1
    winner = results.index(True)
    _, content = await service.get(alice, info.id)
    assert content["metadata"]["tag"] == winner
    assert [r.revision for r in await service.revisions(alice, info.id)] == [2, 1]


async def test_missing_drive_file_falls_back_to_newest_revision(
    db: Database, tmp_path: Path
) -> None:
    users = UserService(db)
    alice = await users.create("alice", "long enough")
    service = NotebookService(db, tmp_path / "drive")
    info = await service.create(alice, "gone.ipynb")
    nb = empty_notebook()
    nb["metadata"]["kept"] = True
    await service.save(alice, info.id, nb, 1)
    (tmp_path / "drive" / str(alice.id) / "gone.ipynb").unlink()
    _, content = await service.get(alice, info.id)
    assert content["metadata"]["kept"] is True
