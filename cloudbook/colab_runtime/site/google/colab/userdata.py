"""``google.colab.userdata``: the user's secrets (Secrets panel), with their permission."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from google.colab import _message, errors

__all__ = ["NotebookAccessError", "SecretNotFoundError", "get"]


class NotebookAccessError(Exception):
    """The user did not grant this notebook access to the secret."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Notebook does not have access to secret {key}")


class SecretNotFoundError(errors.Error):
    """No secret of that name exists."""

    def __init__(self, key: str, hint: str = "") -> None:
        super().__init__(f"Secret {key} does not exist." + (f" {hint}" if hint else ""))


# Requests and replies share the stdin channel: one request at a time.
_lock = threading.Lock()


def _headless_get(key: str) -> str:
    hint = "(headless run: give it with `cloudbook run --secret KEY=VALUE` or a secrets file)"
    path = os.environ.get("CLOUDBOOK_SECRETS_FILE", "")
    if not path:
        raise SecretNotFoundError(key, hint)
    try:
        with open(path, encoding="utf-8") as f:
            secrets: Any = json.load(f)
    except (OSError, ValueError) as exc:
        raise _message.MessageError(
            f"cannot read the secrets file: {exc.__class__.__name__}"
        ) from None
    if not isinstance(secrets, dict) or key not in secrets:
        raise SecretNotFoundError(key, hint)
    return str(secrets[key])


def get(key: str) -> str:
    """The value of secret ``key``; the browser asks the user's permission the first time."""
    if _message.is_headless():
        return _headless_get(key)
    with _lock:
        reply = _message.blocking_request("GetSecret", request={"key": key}, timeout_sec=None)
    if not isinstance(reply, dict) or not reply.get("exists", False):
        raise SecretNotFoundError(key)
    if not reply.get("access", False):
        raise NotebookAccessError(key)
    return str(reply.get("payload", ""))
