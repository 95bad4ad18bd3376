"""The cloudbook account of an OpenID Connect identity: found by its subject, or made at
its first sign-in with a name taken from preferred_username or the e-mail address."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cloudbook.services.audit import AuditLog
from cloudbook.services.clock import utcnow
from cloudbook.services.errors import Conflict, Forbidden, ServiceError
from cloudbook.services.identity import UserInfo
from cloudbook.services.oidc import Identity, OidcSignIn, SignInRefused
from cloudbook.services.users import ACCOUNT_DISABLED, USER_NAME_RE
from cloudbook.store.database import Database
from cloudbook.store.models import User

_NOT_NAME = re.compile(r"[^a-z0-9_.-]+")
MAX_SUFFIX = 1000


def name_base(identity: Identity) -> str:
    """A valid user name from what the provider says; never the subject (opaque)."""
    raw = identity.preferred_username or ""
    if "@" in raw:
        raw = raw.partition("@")[0]
    if not raw and identity.email:
        raw = identity.email.partition("@")[0]
    name = _NOT_NAME.sub("-", raw.strip().lower()).strip("-.")
    if not name or not name[0].isalpha():
        name = "user-" + name if name else "user"
    return name[:56]


async def sign_in(
    oidc: OidcSignIn,
    audit: AuditLog,
    *,
    pending: str | None,
    state: str,
    code: str,
    error: str,
    redirect_uri: str,
    address: str,
) -> tuple[UserInfo, str]:
    """Finish a sign-in at the provider's callback: the account and where to go next.
    Both outcomes are audited; a refusal names the account only once the provider said
    who it is (never the code, state or tokens)."""
    identity: Identity | None = None
    try:
        if error:
            raise SignInRefused(
                "The identity provider did not sign you in (" + error[:100] + ").",
                code="oidc_provider_error",
            )
        if not state or not code:
            raise SignInRefused("The identity provider's answer lacks state or code.")
        identity, next_path = await oidc.finish(pending, state, code, redirect_uri)
        oidc.check_allowed(identity)
        user = await account_for(audit.db, identity)
    except ServiceError as exc:
        known = None
        if identity is not None:
            async with audit.db.session() as s:
                known = (
                    await s.execute(select(User).where(User.oidc_subject == identity.subject))
                ).scalar_one_or_none()
        await audit.record(
            "signin.failed",
            subject=UserInfo(known.id, known.name, known.is_admin) if known else None,
            detail={"method": "oidc", "reason": exc.code, "address": address},
        )
        raise
    await audit.record("signin.oidc", actor=user, subject=user, detail={"address": address})
    return user, next_path


async def account_for(db: Database, identity: Identity) -> UserInfo:
    """The user signing in as ``identity``, created at the first sign-in. A name already
    taken (by a local user or another identity) gets a number: alice, alice-2, ..."""
    async with db.session() as s:
        user = (
            await s.execute(select(User).where(User.oidc_subject == identity.subject))
        ).scalar_one_or_none()
        if user is not None:
            if user.disabled:
                raise Forbidden(ACCOUNT_DISABLED, code="account_disabled")
            if identity.email and identity.email_verified and user.email != identity.email:
                user.email = identity.email
                await s.commit()
            return UserInfo(id=user.id, name=user.name, is_admin=user.is_admin)
    base = name_base(identity)
    for n in range(1, MAX_SUFFIX):
        name = base if n == 1 else f"{base}-{n}"
        if not USER_NAME_RE.match(name):
            continue
        async with db.session() as s:
            if (await s.execute(select(User.id).where(User.name == name))).first():
                continue
            user = User(
                name=name,
                password_hash=None,
                is_admin=False,
                created_at=utcnow(),
                disabled=False,
                email=identity.email if identity.email_verified else None,
                oidc_subject=identity.subject,
            )
            s.add(user)
            try:
                await s.commit()
            except IntegrityError:
                # A parallel first sign-in: of the same identity (then use its account)
                # or of someone who took this name (then try the next one).
                await s.rollback()
                existing = (
                    await s.execute(select(User).where(User.oidc_subject == identity.subject))
                ).scalar_one_or_none()
                if existing is not None:
                    return UserInfo(id=existing.id, name=existing.name, is_admin=existing.is_admin)
                continue
            return UserInfo(id=user.id, name=user.name, is_admin=user.is_admin)
    raise Conflict("No free user name for this account.", code="no_free_name")
