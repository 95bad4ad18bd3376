"""Who is asking: a light type shared by routes and services (no store imports)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    is_admin: bool
