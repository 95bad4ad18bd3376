"""`cloudbook user list|disable|enable|admin|quota`: the admin page's account actions
from the command line (they open the store directly, like cloudbook.cli.admin).

A running service sees the change at its next request: a disabled user's sessions and
tokens are refused at once; their runtimes stop when reclaimed as idle, or at once from
the admin page."""

from __future__ import annotations

import sys

from cloudbook.cli.admin import _with_users
from cloudbook.services.users import UserService
from cloudbook.settings import Settings

QUOTA_FLAGS = (("drive", "drive_bytes"), ("runtimes", "runtimes"), ("gpu_hours", "gpu_hours"))


def _quota_value(field: str, raw: str) -> int | float | None:
    """``default`` returns the field to the service-wide default."""
    from cloudbook.runtimes.limits import parse_size

    if raw == "default":
        return None
    if field == "drive_bytes":
        return parse_size(raw)
    return float(raw) if field == "gpu_hours" else int(raw)


def user_list(settings: Settings) -> int:
    from sqlalchemy import select

    from cloudbook.store.models import User

    async def job(users: UserService) -> list[str]:
        async with users.db.session() as s:
            rows = (await s.execute(select(User).order_by(User.name))).scalars().all()
        return [
            "\t".join(
                (
                    u.name,
                    "admin" if u.is_admin else "user",
                    "disabled" if u.disabled else "active",
                    "oidc" if u.oidc_subject else ("password" if u.password_hash else "-"),
                    u.email or "",
                )
            )
            for u in rows
        ]

    for line in _with_users(settings, job):
        print(line)
    return 0


def user_change(
    settings: Settings,
    name: str,
    *,
    disabled: bool | None = None,
    is_admin: bool | None = None,
    quotas: dict[str, str] | None = None,
) -> int:
    from cloudbook.services.admin import change_account

    try:
        values = {f: _quota_value(f, v) for f, v in (quotas or {}).items()}
    except ValueError as exc:
        print(f"cloudbook: {exc}", file=sys.stderr)
        return 2

    async def job(users: UserService) -> None:
        user = await users.get_by_name(name)
        await change_account(
            users.db,
            user.id,
            disabled=disabled,
            is_admin=is_admin,
            quotas=values,
            audit=users.audit,
        )

    _with_users(settings, job)
    print(f"Changed {name!r}.", file=sys.stderr)
    return 0
