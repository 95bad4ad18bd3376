"""userdata.get, runtime.unassign and auth against a scripted browser."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.colab.kernel import FrontendError, Kernel, Message

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRETS = {"OPENAI_KEY": "sk-123", "DENIED": "nope"}


def get_secret(request: Any, msg: Message) -> Any:
    key = request["key"]
    if key not in SECRETS:
        return {"exists": False}
    if key == "DENIED":  # the user said no in the permission prompt
        return {"exists": True, "access": False}
    return {"exists": True, "access": True, "payload": SECRETS[key]}


async def test_secrets_with_permission(kernel: Kernel) -> None:
    kernel.handlers = {"GetSecret": get_secret}
    r = await kernel.execute("from google.colab import userdata\nprint(userdata.get('OPENAI_KEY'))")
    assert r.raise_for_error().stdout == "sk-123\n"
    assert r.requests[0]["content"]["request"] == {"key": "OPENAI_KEY"}
    r = await kernel.execute("userdata.get('DENIED')")
    assert r.error is not None
    assert (r.error["ename"], r.error["evalue"]) == (
        "NotebookAccessError",
        "Notebook does not have access to secret DENIED",
    )
    r = await kernel.execute("userdata.get('NOPE')")
    assert r.error is not None
    assert (r.error["ename"], r.error["evalue"]) == (
        "SecretNotFoundError",
        "Secret NOPE does not exist.",
    )
    r = await kernel.execute(
        "from google.colab import errors\n"
        "print(issubclass(userdata.SecretNotFoundError, errors.Error))"
    )
    assert r.raise_for_error().stdout == "True\n"


async def test_authenticate_user_without_or_with_bad_secret(kernel: Kernel) -> None:
    # No stored Google credentials (the page answers request_auth with exists: false):
    # the older place, the secret GOOGLE_APPLICATION_CREDENTIALS_JSON, is read.
    kernel.handlers = {"GetSecret": get_secret, "request_auth": lambda r, m: {"exists": False}}
    r = await kernel.execute("from google.colab import auth\nauth.authenticate_user()")
    assert r.error is not None and r.error["ename"] == "AuthorizationError"
    assert r.error["evalue"].startswith("No Google credentials are stored")
    SECRETS["GOOGLE_APPLICATION_CREDENTIALS_JSON"] = json.dumps({"type": "nonsense"})
    try:
        r = await kernel.execute("auth.authenticate_user()")
    finally:
        del SECRETS["GOOGLE_APPLICATION_CREDENTIALS_JSON"]
    assert r.error is not None and "is not a Google credentials file" in r.error["evalue"]


async def test_unassign_asks_the_browser(kernel: Kernel) -> None:
    kernel.handlers = {"unassign_runtime": lambda request, msg: None}
    r = await kernel.execute("from google.colab import runtime\nruntime.unassign()")
    r.raise_for_error()
    assert [m["metadata"]["colab_request_type"] for m in r.requests] == ["unassign_runtime"]

    def refuse(request: Any, msg: Message) -> Any:
        raise FrontendError("not allowed")

    kernel.handlers = {"unassign_runtime": refuse}
    r = await kernel.execute("runtime.unassign()")
    assert r.error is not None
    assert (r.error["ename"], r.error["evalue"]) == (
        "RuntimeManagementError",
        "Unable to request VM unassignment: not allowed",
    )
