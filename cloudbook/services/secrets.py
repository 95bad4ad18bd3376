"""Each user's secrets (Colab's ``userdata``), encrypted at rest, and per-notebook grants.

Values leave this module only through ``read_for_notebook`` (the page's answer to a
kernel's ``GetSecret``), and only when the user granted that notebook access.
Listing returns names. Values are never logged and never put in an error.
Secrets are always the asking user's own: a notebook shared with someone reads
that person's secrets, never its owner's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.keyring import Keyring
from cloudbook.store.database import Database
from cloudbook.store.models import Secret, SecretGrant

# The user's Google credentials live in this table too (services/google_credentials.py)
# under a name NAME never matches; listings leave that row out.
GOOGLE_CREDENTIALS_ROW = "cloudbook:google-credentials"
# As Colab: a name usable as an environment variable.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_VALUE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SecretInfo:
    name: str
    created_at: datetime
    updated_at: datetime
    # Whether the notebook the list was asked for may read it (None: no notebook asked).
    access: bool | None = None


@dataclass(frozen=True)
class SecretRead:
    exists: bool
    access: bool = False
    payload: str | None = None


def validate_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InvalidInput(
            "A secret's name must start with a letter or underscore and hold only letters, "
            "digits and underscores (at most 128).",
            code="invalid_secret_name",
        )
    return name


def _context(user_id: int, name: str) -> bytes:
    return f"secret:{user_id}:{name}".encode()


def _info(row: Secret, access: bool | None = None) -> SecretInfo:
    return SecretInfo(
        name=row.name,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        access=access,
    )


class SecretService:
    def __init__(self, db: Database, keyring: Keyring) -> None:
        self.db = db
        self.keyring = keyring

    async def _row(self, s: AsyncSession, user: UserInfo, name: str) -> Secret | None:
        found = await s.execute(
            select(Secret).where(Secret.user_id == user.id, Secret.name == name)
        )
        return found.scalar_one_or_none()

    async def _owned(self, s: AsyncSession, user: UserInfo, name: str) -> Secret:
        row = await self._row(s, user, validate_name(name))
        if row is None:
            raise NotFound("No such secret.", code="no_such_secret")
        return row

    async def list_for(self, user: UserInfo, notebook_id: str | None = None) -> list[SecretInfo]:
        """Names only (never values); with ``notebook_id``, whether that notebook may read each."""
        async with self.db.session() as s:
            rows = (
                (
                    await s.execute(
                        select(Secret)
                        .where(Secret.user_id == user.id, Secret.name != GOOGLE_CREDENTIALS_ROW)
                        .order_by(Secret.name)
                    )
                )
                .scalars()
                .all()
            )
            granted: set[int] = set()
            if notebook_id is not None and rows:
                granted = set(
                    (
                        await s.execute(
                            select(SecretGrant.secret_id).where(
                                SecretGrant.notebook_id == notebook_id,
                                SecretGrant.secret_id.in_([r.id for r in rows]),
                            )
                        )
                    ).scalars()
                )
        return [_info(r, None if notebook_id is None else r.id in granted) for r in rows]

    async def put(self, user: UserInfo, name: str, value: str) -> SecretInfo:
        """Create or replace; existing grants stay."""
        validate_name(name)
        raw = value.encode("utf-8")
        if len(raw) > MAX_VALUE_BYTES:
            raise InvalidInput(
                f"A secret's value may hold at most {MAX_VALUE_BYTES // 1024} KiB.",
                code="secret_too_large",
            )
        blob = self.keyring.encrypt(raw, _context(user.id, name))
        now = utcnow()
        for _ in range(2):  # a concurrent create of the same name: the second try updates
            async with self.db.session() as s:
                row = await self._row(s, user, name)
                if row is None:
                    row = Secret(
                        user_id=user.id, name=name, ciphertext=blob, created_at=now, updated_at=now
                    )
                    s.add(row)
                else:
                    row.ciphertext = blob
                    row.updated_at = now
                try:
                    await s.commit()
                except IntegrityError:
                    continue
                return _info(row)
        raise InvalidInput("The secret changed while saving; try again.", code="secret_conflict")

    async def delete(self, user: UserInfo, name: str) -> None:
        async with self.db.session() as s:
            row = await self._owned(s, user, name)
            await s.execute(delete(SecretGrant).where(SecretGrant.secret_id == row.id))
            await s.delete(row)
            await s.commit()

    async def set_access(self, user: UserInfo, name: str, notebook_id: str, granted: bool) -> None:
        """The caller must already have checked that ``user`` may open the notebook."""
        async with self.db.session() as s:
            row = await self._owned(s, user, name)
            existing = await s.get(SecretGrant, (row.id, notebook_id))
            if granted and existing is None:
                s.add(SecretGrant(secret_id=row.id, notebook_id=notebook_id, created_at=utcnow()))
            elif not granted and existing is not None:
                await s.delete(existing)
            try:
                await s.commit()
            except IntegrityError:
                pass  # granted twice at once: it is granted

    async def read_for_notebook(self, user: UserInfo, name: str, notebook_id: str) -> SecretRead:
        """The reply to a kernel's GetSecret, for the user viewing the notebook."""
        async with self.db.session() as s:
            row = await self._row(s, user, validate_name(name))
            if row is None:
                return SecretRead(exists=False)
            if await s.get(SecretGrant, (row.id, notebook_id)) is None:
                return SecretRead(exists=True, access=False)
            blob = row.ciphertext
        from cryptography.exceptions import InvalidTag

        try:
            value = self.keyring.decrypt(blob, _context(user.id, name)).decode("utf-8")
        except InvalidTag:
            raise Conflict(
                f"The secret {name} cannot be decrypted (the service's key changed); "
                "enter its value again in the Secrets panel.",
                code="secret_unreadable",
            ) from None
        return SecretRead(exists=True, access=True, payload=value)
