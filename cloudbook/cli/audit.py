"""`cloudbook audit`: the audit log from the command line (the store, opened directly),
newest first, one event a line: time, kind, actor, subject, target, details."""

from __future__ import annotations

import json
import sys
from datetime import datetime

from cloudbook.cli.admin import _with_users
from cloudbook.services.audit import EventPage
from cloudbook.services.users import UserService
from cloudbook.settings import Settings


def _time(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value


def audit_list(
    settings: Settings,
    *,
    user: str | None,
    kind: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool = False,
) -> int:
    try:
        start, end = _time(since), _time(until)
    except ValueError as exc:
        print(f"cloudbook: not an ISO time: {exc}", file=sys.stderr)
        return 2

    async def job(users: UserService) -> EventPage:
        return await users.audit.events(user=user, kind=kind, since=start, until=end, limit=limit)

    page = _with_users(settings, job)
    for e in page.events:
        if as_json:
            print(json.dumps({**e.__dict__, "at": e.at.isoformat()}, sort_keys=True))
            continue
        detail = " ".join(f"{k}={v}" for k, v in sorted(e.detail.items()) if v is not None)
        fields = (e.at.strftime("%Y-%m-%d %H:%M:%S"), e.kind, e.actor, e.subject, e.target)
        print("\t".join([*(f or "-" for f in fields), detail]))
    return 0
