"""Headers that belong to one HTTP connection and never cross a proxy (RFC 9110 7.6.1),
plus ``host`` and ``content-length``, which the proxy's own client sets. Shared by the
service's port proxy and the forwarder inside runtimes (which must import nothing heavy)."""

from __future__ import annotations

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
