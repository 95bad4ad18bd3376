"""Each user's token for the git host, stored once, encrypted like secrets, never returned."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from cloudbook.services.clock import utcnow
from cloudbook.services.errors import InvalidInput
from cloudbook.services.identity import UserInfo
from cloudbook.services.keyring import Keyring
from cloudbook.store.database import Database
from cloudbook.store.models import GitCredential

MAX_TOKEN = 4096


def _context(user_id: int, host: str) -> bytes:
    return f"git-credential:{user_id}:{host}".encode()


class GitCredentials:
    def __init__(self, db: Database, keyring: Keyring, host: str) -> None:
        self.db = db
        self.keyring = keyring
        self.host = host

    async def put(self, user: UserInfo, token: str) -> None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN or any(c in token for c in "\r\n\0 \t:"):
            raise InvalidInput("That does not look like an access token.", code="invalid_token")
        blob = self.keyring.encrypt(token.encode(), _context(user.id, self.host))
        for _ in range(2):
            async with self.db.session() as s:
                row = (
                    await s.execute(
                        select(GitCredential).where(
                            GitCredential.user_id == user.id, GitCredential.host == self.host
                        )
                    )
                ).scalar_one_or_none()
                if row is None:
                    s.add(
                        GitCredential(
                            user_id=user.id, host=self.host, ciphertext=blob, updated_at=utcnow()
                        )
                    )
                else:
                    row.ciphertext = blob
                    row.updated_at = utcnow()
                try:
                    await s.commit()
                    return
                except IntegrityError:
                    continue

    async def delete(self, user: UserInfo) -> None:
        async with self.db.session() as s:
            await s.execute(
                delete(GitCredential).where(
                    GitCredential.user_id == user.id, GitCredential.host == self.host
                )
            )
            await s.commit()

    async def token(self, user: UserInfo) -> str | None:
        async with self.db.session() as s:
            blob = (
                await s.execute(
                    select(GitCredential.ciphertext).where(
                        GitCredential.user_id == user.id, GitCredential.host == self.host
                    )
                )
            ).scalar_one_or_none()
        if blob is None:
            return None
        from cryptography.exceptions import InvalidTag

        try:
            return self.keyring.decrypt(blob, _context(user.id, self.host)).decode()
        except InvalidTag:
            return None  # the service's key changed: as if none were stored
