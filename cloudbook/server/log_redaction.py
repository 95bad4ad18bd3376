"""Keep credentials in URLs out of logs.

uvicorn logs every WebSocket handshake with its full path and query
(``"WebSocket /api/runtimes/…/proxy/8000/<token>/…" [accepted]``), and a
kernel-port proxy link carries its credential in the path. This filter rewrites
those records before any handler sees them: the token segment becomes ``***``
and query strings are dropped. (HTTP access logging is off altogether.)
"""

from __future__ import annotations

import logging
import re

_PROXY_TOKEN = re.compile(r"(/proxy/\d+/)[^/?\s\"]+")
_QUERY = re.compile(r"\?[^\s\"]*")
LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn")


def redact(text: str) -> str:
    return _QUERY.sub("?***", _PROXY_TOKEN.sub(r"\1***", text))


class RedactUrls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, str) for a in record.args):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Add the filter to uvicorn's loggers (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactUrls) for f in logger.filters):
            logger.addFilter(RedactUrls())
