"""Each user's Google credentials: what ``google.colab.auth.authenticate_user()`` gives
the kernel as Application Default Credentials (docs/bigquery.md).

One credential per user: a service-account key or an OAuth client with a refresh token
(an ``authorized_user`` file, as ``gcloud auth application-default login`` writes). It is
kept as a row of the secrets table under a name no secret can have (so it never shows in
the Secrets panel and ``userdata.get`` cannot ask for it), encrypted like every secret
(AES-256-GCM, the owner's id and the name as associated data). It leaves this module
only through ``read_for_kernel``: the page's answer to a kernel's ``request_auth``, for
the user viewing the notebook; ``info`` describes it without a secret part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.keyring import Keyring
from cloudbook.services.secrets import GOOGLE_CREDENTIALS_ROW
from cloudbook.store.database import Database
from cloudbook.store.models import Secret

# ":" is not allowed in a secret's name: the Secrets API can never reach this row.
ROW_NAME = GOOGLE_CREDENTIALS_ROW
MAX_BYTES = 64 * 1024
_NEEDS = {
    "service_account": ("client_email", "private_key"),
    "authorized_user": ("client_id", "client_secret", "refresh_token"),
}


@dataclass(frozen=True)
class CredentialInfo:
    type: str  # service_account | authorized_user
    # Who the kernel will act as: the service account's e-mail, or the OAuth client id.
    principal: str
    project_id: str | None
    updated_at: datetime


def _context(user_id: int) -> bytes:
    return f"secret:{user_id}:{ROW_NAME}".encode()


def parse(text: str) -> dict[str, Any]:
    """The credential as Google's libraries read it; errors never quote the input."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InvalidInput(
            "The credentials file is larger than 64 KiB.", code="credentials_invalid"
        )
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise InvalidInput(
            "The credentials are not JSON: paste a service-account key file or an "
            "authorized_user file.",
            code="credentials_invalid",
        ) from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in _NEEDS:
        raise InvalidInput(
            'The credentials\' "type" must be "service_account" (a service-account key) or '
            '"authorized_user" (an OAuth client with a refresh token).',
            code="credentials_invalid",
        )
    missing = [k for k in _NEEDS[kind] if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        raise InvalidInput(
            f"The {kind} credentials lack: {', '.join(missing)}.", code="credentials_invalid"
        )
    for key in ("token_uri", "project_id", "quota_project_id"):
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(f'"{key}" must be a string.', code="credentials_invalid")
    return dict(data)


def _info(data: dict[str, Any], updated_at: datetime) -> CredentialInfo:
    kind = str(data["type"])
    principal = data["client_email"] if kind == "service_account" else data["client_id"]
    project = data.get("project_id") or data.get("quota_project_id")
    return CredentialInfo(kind, str(principal), str(project) if project else None, updated_at)


class GoogleCredentialService:
    def __init__(self, db: Database, keyring: Keyring) -> None:
        self.db = db
        self.keyring = keyring

    async def _row(self, user: UserInfo) -> Secret | None:
        async with self.db.session() as s:
            found = await s.execute(
                select(Secret).where(Secret.user_id == user.id, Secret.name == ROW_NAME)
            )
            return found.scalar_one_or_none()

    def _decrypt(self, user: UserInfo, row: Secret) -> dict[str, Any]:
        from cryptography.exceptions import InvalidTag

        try:
            raw = self.keyring.decrypt(row.ciphertext, _context(user.id))
        except InvalidTag:
            raise Conflict(
                "The stored Google credentials cannot be decrypted (the service's key "
                "changed); store them again.",
                code="credentials_unreadable",
            ) from None
        data: dict[str, Any] = json.loads(raw)
        return data

    async def put(self, user: UserInfo, text: str) -> CredentialInfo:
        data = parse(text)
        blob = self.keyring.encrypt(json.dumps(data).encode(), _context(user.id))
        now = utcnow()
        for _ in range(2):  # a concurrent first store: the second try updates
            async with self.db.session() as s:
                found = await s.execute(
                    select(Secret).where(Secret.user_id == user.id, Secret.name == ROW_NAME)
                )
                row = found.scalar_one_or_none()
                if row is None:
                    s.add(
                        Secret(
                            user_id=user.id,
                            name=ROW_NAME,
                            ciphertext=blob,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                else:
                    row.ciphertext = blob
                    row.updated_at = now
                try:
                    await s.commit()
                except IntegrityError:
                    continue
                return _info(data, now)
        raise InvalidInput("The credentials changed while saving; try again.", code="conflict")

    async def info(self, user: UserInfo) -> CredentialInfo | None:
        row = await self._row(user)
        if row is None:
            return None
        return _info(self._decrypt(user, row), as_utc(row.updated_at))

    async def delete(self, user: UserInfo) -> None:
        async with self.db.session() as s:
            found = await s.execute(
                select(Secret).where(Secret.user_id == user.id, Secret.name == ROW_NAME)
            )
            row = found.scalar_one_or_none()
            if row is None:
                raise NotFound("No Google credentials are stored.", code="no_credentials")
            await s.delete(row)
            await s.commit()

    async def read_for_kernel(self, user: UserInfo) -> dict[str, Any] | None:
        """The asking user's own credential (never anyone else's), or None."""
        row = await self._row(user)
        return None if row is None else self._decrypt(user, row)
