"""The store's record of each runtime this instance started, so that a service that
was killed can reclaim what it left behind at its next start."""

from __future__ import annotations

from sqlalchemy import delete, select

from cloudbook.runtimes.provider import Runtime
from cloudbook.services.clock import utcnow
from cloudbook.store.database import Database
from cloudbook.store.models import RuntimeRecord


async def record(db: Database, instance_id: str, provider: str, runtime: Runtime) -> None:
    async with db.session() as s:
        s.add(
            RuntimeRecord(
                id=runtime.runtime_id,
                instance_id=instance_id,
                provider=provider,
                url=runtime.url,
                pid=runtime.pid,
                sandboxed=runtime.sandboxed,
                created_at=utcnow(),
            )
        )
        await s.commit()


async def assign(
    db: Database, runtime_id: str, owner_id: int, notebook_id: str, kernel_id: str
) -> None:
    async with db.session() as s:
        row = await s.get(RuntimeRecord, runtime_id)
        if row is not None:
            row.owner_id = owner_id
            row.notebook_id = notebook_id
            row.kernel_id = kernel_id
            await s.commit()


async def forget(db: Database, runtime_id: str) -> None:
    async with db.session() as s:
        await s.execute(delete(RuntimeRecord).where(RuntimeRecord.id == runtime_id))
        await s.commit()


async def left_behind(db: Database, instance_id: str) -> list[Runtime]:
    async with db.session() as s:
        rows = (
            (await s.execute(select(RuntimeRecord).where(RuntimeRecord.instance_id == instance_id)))
            .scalars()
            .all()
        )
    return [
        Runtime(runtime_id=r.id, url=r.url, token="", sandboxed=r.sandboxed, pid=r.pid)
        for r in rows
    ]


async def forget_instance(db: Database, instance_id: str) -> None:
    async with db.session() as s:
        await s.execute(delete(RuntimeRecord).where(RuntimeRecord.instance_id == instance_id))
        await s.commit()


# --- usage: kept after the runtime is gone (GPU hours, the admin page) ---------------


async def usage_started(db: Database, runtime_id: str, user_id: int, gpus: int) -> None:
    from cloudbook.store.models import RuntimeUsage

    async with db.session() as s:
        s.add(RuntimeUsage(runtime_id=runtime_id, user_id=user_id, gpus=gpus, started_at=utcnow()))
        await s.commit()


async def usage_ended(db: Database, runtime_id: str) -> None:
    from sqlalchemy import update

    from cloudbook.store.models import RuntimeUsage

    async with db.session() as s:
        await s.execute(
            update(RuntimeUsage)
            .where(RuntimeUsage.runtime_id == runtime_id, RuntimeUsage.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        await s.commit()
