"""Validation of user-given names: nothing a user types may leave their drive folder."""

from __future__ import annotations

import re
from urllib.parse import unquote

from cloudbook.services.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 255
MAX_PATH = 1024


def validate_relative_path(name: str, *, suffix: str | None = None) -> str:
    """Return a clean '/'-separated path or raise InvalidInput (code invalid_name)."""

    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"Invalid name: {why}.", code="invalid_name")

    if not isinstance(name, str) or not name.strip():
        raise bad("it is empty")
    if len(name) > MAX_PATH:
        raise bad("it is too long")
    if _CONTROL.search(name):
        raise bad("it contains control characters")
    if "\\" in name:
        raise bad("backslashes are not allowed")
    # A name must not turn into a traversal once some layer decodes it.
    decoded = unquote(name)
    for candidate in (name, decoded):
        if candidate.startswith("/") or candidate.startswith("~"):
            raise bad("absolute paths are not allowed")
        if any(part in ("..", ".") for part in candidate.split("/")):
            raise bad("'.' and '..' are not allowed")
    if decoded.count("/") != name.count("/") or _CONTROL.search(decoded):
        raise bad("percent-encoded slashes or control characters are not allowed")
    parts = name.split("/")
    if any(not p.strip() for p in parts):
        raise bad("empty folder names are not allowed")
    if any(len(p.encode()) > MAX_NAME for p in parts):
        raise bad("a part is longer than 255 bytes")
    if any(p != p.strip() for p in parts):
        raise bad("names may not start or end with spaces")
    if suffix is not None and not name.endswith(suffix):
        raise bad(f"it must end with {suffix}")
    return name
