"""Replica discovery and heartbeats in Redis (``CLOUDBOOK_REDIS_URL``).

The same contract as :class:`ReplicaDirectory`, whose ``replicas`` table this replaces;
runtime records (who holds which runtime) stay in the store, which is the truth for
ownership. In Redis, under the prefix ``cloudbook:``:

- ``replica-urls``: a hash, id -> URL, of the registered replicas;
- ``alive:{id}``: a key that expires ``dead_after`` seconds after the last heartbeat;
- ``claiming``: a hash, id -> URL, of dead replicas whose runtimes are being taken over.

A heartbeat refreshes ``alive:{id}`` only while the id is registered, and a claim moves a
silent id from ``replica-urls`` to ``claiming`` only while ``alive:{id}`` is absent (both
are scripts, atomic in Redis): a claimed replica learns it at its next beat and comes
back holding only what the store still says it holds. Who takes which runtime is
decided by the store (``UPDATE … RETURNING``: rows move once), and the ``claiming``
entry goes last, so a claimer that dies half-way leaves the job to the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from cloudbook.runtimes.replicas import Located, ReplicaDirectory, located
from cloudbook.store.models import RuntimeRecord

if TYPE_CHECKING:
    from cloudbook.store.database import Database

_BEAT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
_CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local url = redis.call('HGET', KEYS[1], ARGV[1])
if url then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[1], url)
  return 1
end
return redis.call('HEXISTS', KEYS[3], ARGV[1])
"""


class RedisReplicaDirectory(ReplicaDirectory):
    def __init__(
        self,
        db: Database,
        replica_id: str,
        url: str,
        *,
        redis_url: str,
        heartbeat_interval: float = 5.0,
        dead_after: float | None = None,
        prefix: str = "cloudbook",
    ) -> None:
        super().__init__(
            db, replica_id, url, heartbeat_interval=heartbeat_interval, dead_after=dead_after
        )
        import redis.asyncio

        self.redis: Any = redis.asyncio.from_url(
            redis_url, decode_responses=True, socket_timeout=10, socket_connect_timeout=10
        )
        self._urls = f"{prefix}:replica-urls"
        self._claiming = f"{prefix}:claiming"
        self._alive = f"{prefix}:alive:"

    def _ttl_ms(self) -> int:
        return max(1, int(self.dead_after * 1000))

    async def register(self) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._urls, self.id, self.url)
            pipe.set(self._alive + self.id, self.url, px=self._ttl_ms())
            await pipe.execute()

    async def beat(self) -> bool:
        keys = [self._urls, self._alive + self.id]
        if await self.redis.eval(_BEAT, 2, *keys, self.id, self.url, self._ttl_ms()):
            return True
        await self.register()  # claimed while away: back, holding what it still holds
        return False

    async def leave(self) -> None:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._alive + self.id)
                pipe.hdel(self._urls, self.id)
                await pipe.execute()
        finally:
            await self.redis.aclose()

    async def _holder(self, holder: str) -> tuple[str | None, bool]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(self._urls, holder)
            pipe.hget(self._claiming, holder)
            pipe.exists(self._alive + holder)
            url, claimed, alive = await pipe.execute()
        url = url or claimed
        return (str(url) if url else None), bool(alive)

    async def _locate(self, *conditions: object) -> Located | None:
        async with self.db.session() as s:
            record = (
                await s.execute(
                    select(RuntimeRecord)
                    .where(*conditions)  # type: ignore[arg-type]
                    .order_by(RuntimeRecord.created_at.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        if record is None:
            return None
        url, alive = await self._holder(record.instance_id)
        return located(record, url, alive)

    async def dead(self) -> list[str]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hkeys(self._urls)
            pipe.hkeys(self._claiming)
            registered, claiming = await pipe.execute()
        others = sorted({*registered, *claiming} - {self.id})
        if not others:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for member in others:
                pipe.exists(self._alive + member)
            alive = await pipe.execute()
        return [m for m, up in zip(others, alive, strict=True) if not up]

    async def claim(self, dead_id: str) -> list[Located]:
        keys = [self._urls, self._alive + dead_id, self._claiming]
        if not await self.redis.eval(_CLAIM, 3, *keys, dead_id):
            return []  # alive again, or already taken over
        async with self.db.session() as s:
            moved = await s.execute(
                update(RuntimeRecord)
                .where(RuntimeRecord.instance_id == dead_id)
                .values(instance_id=self.id)
                .returning(RuntimeRecord.id)
            )
            ids = list(moved.scalars())
            await s.commit()
        await self.redis.hdel(self._claiming, dead_id)
        found = [await self.find(str(i)) for i in ids]
        return [f for f in found if f is not None]
