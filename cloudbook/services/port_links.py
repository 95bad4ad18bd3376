"""Signed, short-lived links to a port of a runtime (``google.colab.kernel.proxyPort``).

An output frame is sandboxed without ``allow-same-origin``: what it loads carries
no cookies, so the link carries its own credential, in the path:
``/api/runtimes/<runtime>/proxy/<port>/<token>/``. The token names the user and
an expiry and is an HMAC over (runtime, port, user, expiry) with a subkey of the
service's master key. It is checked on every request, together with the user
still owning the runtime. Tokens are never logged (the access log is off and the
proxy logs no paths).
"""

from __future__ import annotations

import base64
import hmac
import re
import time
from dataclasses import dataclass

from cloudbook.services.errors import Forbidden, InvalidInput, NotFound
from cloudbook.services.keyring import Keyring

TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})")
LABEL = "port-proxy"


@dataclass(frozen=True)
class PortLink:
    user_id: int
    expires: int


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise InvalidInput("A port is a number from 1 to 65535.", code="invalid_port")
    return port


class PortLinks:
    def __init__(self, keyring: Keyring, ttl: float) -> None:
        self.keyring = keyring
        self.ttl = ttl

    def _signature(self, runtime_id: str, port: int, user_id: int, expires: int) -> str:
        message = f"{runtime_id}:{port}:{user_id}:{expires}".encode()
        digest = self.keyring.sign(LABEL, message)[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, runtime_id: str, port: int, user_id: int) -> str:
        expires = int(time.time() + self.ttl)
        return (
            f"{user_id}.{expires}.{self._signature(runtime_id, check_port(port), user_id, expires)}"
        )

    def verify(self, runtime_id: str, port: int, token: str) -> PortLink:
        """The link's user; 404 for anything forged or for another runtime or port, 403 once
        expired (the page asks for a new link)."""
        match = TOKEN.fullmatch(token)
        if match is None:
            raise NotFound("No such proxied port.", code="no_such_port")
        user_id, expires = int(match[1]), int(match[2])
        expected = self._signature(runtime_id, port, user_id, expires)
        if not hmac.compare_digest(expected, match[3]):
            raise NotFound("No such proxied port.", code="no_such_port")
        if expires < time.time():
            raise Forbidden("This link to a runtime's port has expired.", code="link_expired")
        return PortLink(user_id=user_id, expires=expires)
