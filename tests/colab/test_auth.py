"""auth.authenticate_user() against a scripted browser: Colab's ``request_auth``, answered
with the viewer's stored Google credentials, becomes Application Default Credentials."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_run_auth import service_account_key
from tests.colab.kernel import FrontendError, Kernel, Message

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHECK = (
    "import os, stat, json, google.auth\n"
    "creds, project = google.auth.default()\n"
    "path = os.environ['GOOGLE_APPLICATION_CREDENTIALS']\n"
    "print(type(creds).__module__, project, oct(stat.S_IMODE(os.stat(path).st_mode)))\n"
    "print(getattr(creds, 'service_account_email', None) or creds.client_id, creds._token_uri)"
)


async def test_stored_service_account_reaches_the_kernel_on_request(kernel: Kernel) -> None:
    key = service_account_key()
    asked: list[Any] = []

    def answer(request: Any, msg: Message) -> Any:
        asked.append(request)
        return {"exists": True, "credentials": key}

    kernel.handlers = {"request_auth": answer}
    r = await kernel.execute("from google.colab import auth\nauth.authenticate_user()\n" + CHECK)
    assert r.raise_for_error().stdout == (
        "google.oauth2.service_account demo-project 0o600\n"
        "robot@demo-project.iam.gserviceaccount.com https://oauth2.googleapis.com/token\n"
    )
    assert asked == [{"authType": "auth_user_ephemeral"}]  # Colab's own request
    assert key["private_key"].splitlines()[1] not in r.stdout


async def test_refresh_token_with_its_own_token_endpoint(kernel: Kernel) -> None:
    user = {
        "type": "authorized_user",
        "client_id": "cid.apps.example",
        "client_secret": "s3cret",
        "refresh_token": "rt",
        "token_uri": "http://bq.internal:9050/token",
        "quota_project_id": "other-project",
    }
    kernel.handlers = {"request_auth": lambda r, m: {"exists": True, "credentials": user}}
    r = await kernel.execute("auth.authenticate_user()\n" + CHECK)
    assert r.raise_for_error().stdout == (
        "google.oauth2.credentials other-project 0o600\n"
        "cid.apps.example http://bq.internal:9050/token\n"
    )


async def test_denied_or_missing(kernel: Kernel) -> None:
    def deny(request: Any, msg: Message) -> Any:
        raise FrontendError(
            "The user did not permit this notebook to access their Google credentials."
        )

    kernel.handlers = {"request_auth": deny}
    r = await kernel.execute("auth.authenticate_user()")
    assert r.error is not None and r.error["ename"] == "AuthorizationError"
    assert "did not permit" in r.error["evalue"]
    kernel.handlers = {
        "request_auth": lambda r, m: {"exists": False},
        "GetSecret": lambda r, m: {"exists": False},
    }
    r = await kernel.execute("auth.authenticate_user()")
    assert r.error is not None and r.error["evalue"].startswith("No Google credentials are stored")
    assert "Secrets panel" in r.error["evalue"]
