"""Several service replicas on one store: who holds which runtime, who is alive.

Each replica has a row in ``replicas`` (its id, the URL the others reach it at, a
heartbeat); each runtime's record (``runtimes``) names the replica holding it in
``instance_id``. A replica that stops beating for ``dead_after`` seconds is dead: the
first replica to delete its row (a conditional DELETE, so exactly one wins) takes its
runtime records over and adopts what it can reach (``RuntimeManager.adopt_record``).

The replica id is stable for a data dir and URL, so a replica restarted at the same
address still reclaims what it left behind (``cloudbook.runtimes.records``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.store.database import Database
from cloudbook.store.models import Replica, RuntimeRecord


def replica_id_for(instance_id: str, replica_url: str | None) -> str:
    """The data dir's instance id alone, or (replicas sharing a data dir) one per URL."""
    if not replica_url:
        return instance_id
    return hashlib.sha256(f"{instance_id} {replica_url}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Located:
    """A runtime record and the replica holding it."""

    runtime_id: str
    provider: str
    url: str
    owner_id: int | None
    notebook_id: str | None
    kernel_id: str | None
    accelerator: str
    gpu_type: str | None
    shape: str
    holder: str
    holder_url: str | None  # None: the holder has no replica row (a single instance)
    alive: bool


def located(record: RuntimeRecord, holder_url: str | None, alive: bool) -> Located:
    return Located(
        runtime_id=record.id,
        provider=record.provider,
        url=record.url,
        owner_id=record.owner_id,
        notebook_id=record.notebook_id,
        kernel_id=record.kernel_id,
        accelerator=record.accelerator,
        gpu_type=record.gpu_type,
        shape=record.shape,
        holder=record.instance_id,
        holder_url=holder_url,
        alive=alive,
    )


class ReplicaDirectory:
    def __init__(
        self,
        db: Database,
        replica_id: str,
        url: str,
        *,
        heartbeat_interval: float = 5.0,
        dead_after: float | None = None,
    ) -> None:
        self.db = db
        self.id = replica_id
        self.url = url.rstrip("/")
        self.heartbeat_interval = heartbeat_interval
        self.dead_after = dead_after if dead_after is not None else 3 * heartbeat_interval

    def _cutoff(self) -> datetime:
        return utcnow() - timedelta(seconds=self.dead_after)

    async def register(self) -> None:
        now = utcnow()
        async with self.db.session() as s:
            await s.merge(Replica(id=self.id, url=self.url, started_at=now, heartbeat_at=now))
            await s.commit()

    async def beat(self) -> bool:
        """Refresh this replica's heartbeat; False when another replica declared it dead
        (its row was gone: it is registered again, holding only what it still holds)."""
        async with self.db.session() as s:
            result = await s.execute(
                update(Replica).where(Replica.id == self.id).values(heartbeat_at=utcnow())
            )
            await s.commit()
        if getattr(result, "rowcount", 1) == 1:
            return True
        await self.register()
        return False

    async def leave(self) -> None:
        async with self.db.session() as s:
            await s.execute(delete(Replica).where(Replica.id == self.id))
            await s.commit()

    async def held_here(self) -> set[str]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(RuntimeRecord.id).where(RuntimeRecord.instance_id == self.id)
            )
            return {str(r) for r in rows.scalars()}

    async def _locate(self, *conditions: object) -> Located | None:
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(RuntimeRecord, Replica)
                    .outerjoin(Replica, Replica.id == RuntimeRecord.instance_id)
                    .where(*conditions)  # type: ignore[arg-type]
                    .order_by(RuntimeRecord.created_at.desc())
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        record, replica = row
        cutoff = self._cutoff()
        alive = replica is not None and as_utc(replica.heartbeat_at) >= cutoff
        return located(record, replica.url if replica is not None else None, alive)

    async def find(self, runtime_id: str) -> Located | None:
        return await self._locate(RuntimeRecord.id == runtime_id)

    async def find_for_notebook(self, owner_id: int, notebook_id: str) -> Located | None:
        return await self._locate(
            RuntimeRecord.owner_id == owner_id,
            RuntimeRecord.notebook_id == notebook_id,
            RuntimeRecord.instance_id != self.id,
        )

    async def dead(self) -> list[str]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(Replica.id).where(
                    Replica.heartbeat_at < self._cutoff(),
                    Replica.id != self.id,
                )
            )
            return [str(r) for r in rows.scalars()]

    async def claim(self, dead_id: str) -> list[Located]:
        """Take over a dead replica's runtime records; [] when it is alive again or another
        replica claimed it first (the DELETE of its row decides)."""
        async with self.db.session() as s:
            gone = await s.execute(
                delete(Replica).where(
                    Replica.id == dead_id,
                    Replica.heartbeat_at < self._cutoff(),
                )
            )
            if getattr(gone, "rowcount", 0) != 1:
                await s.rollback()
                return []
            ids = list(
                (
                    await s.execute(
                        select(RuntimeRecord.id).where(RuntimeRecord.instance_id == dead_id)
                    )
                ).scalars()
            )
            await s.execute(
                update(RuntimeRecord)
                .where(RuntimeRecord.instance_id == dead_id)
                .values(instance_id=self.id)
            )
            await s.commit()
        found = [await self.find(str(i)) for i in ids]
        return [f for f in found if f is not None]
