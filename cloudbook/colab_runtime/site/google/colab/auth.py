"""``google.colab.auth``: Google application-default credentials from stored ones.

``authenticate_user()`` asks the page as Colab does (an iopub ``request_auth`` with
``authType: auth_user_ephemeral``); the page asks the viewer's permission and answers with
the Google credentials *the viewer* stored (a service-account key or an OAuth refresh
token, docs/bigquery.md). Headless runs (``cloudbook run``) read them from the 0600 file
the runner wrote from the run user's stored ones. Either way the older place is the
fallback: a credentials JSON kept as the secret ``GOOGLE_APPLICATION_CREDENTIALS_JSON``.

The credentials are written where Google's client libraries look
(``~/.config/gcloud/application_default_credentials.json``, mode 0600) and
``GOOGLE_APPLICATION_CREDENTIALS`` points at them, so ``bigquery.Client()``,
``%%bigquery`` and ``pandas_gbq`` (and ``gcloud`` run with ``!``) find them.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from google.colab import _message, errors, userdata

__all__ = ["SECRET_NAME", "authenticate_user"]

SECRET_NAME = "GOOGLE_APPLICATION_CREDENTIALS_JSON"
_KNOWN_TYPES = {
    "service_account",
    "authorized_user",
    "external_account",
    "impersonated_service_account",
}


_HOW = (
    "store a service-account key or an OAuth refresh token under Google credentials in "
    "the Secrets panel (headless runs use those of the run's --user), or add a secret "
    f"named {SECRET_NAME} holding a Google credentials JSON"
)


def _stored() -> dict[str, Any] | None:
    """The viewer's stored credentials, through the page (or the runner's file)."""
    if _message.is_headless():
        path = os.environ.get("CLOUDBOOK_GOOGLE_CREDENTIALS_FILE", "")
        if not path:
            return None
        with open(path, encoding="utf-8") as f:
            data: Any = json.load(f)
        return data if isinstance(data, dict) else None
    try:
        reply = _message.blocking_request(
            "request_auth", request={"authType": "auth_user_ephemeral"}, timeout_sec=None
        )
    except _message.MessageError as exc:
        raise errors.AuthorizationError(str(exc)) from None
    if not isinstance(reply, dict) or not reply.get("exists"):
        return None
    creds = reply.get("credentials")
    return creds if isinstance(creds, dict) else None


def _from_secret() -> dict[str, Any]:
    how = _HOW
    try:
        raw = userdata.get(SECRET_NAME)
    except userdata.SecretNotFoundError:
        raise errors.AuthorizationError(f"No Google credentials are stored: {how}.") from None
    except userdata.NotebookAccessError:
        raise errors.AuthorizationError(
            f"This notebook was not allowed to read the secret {SECRET_NAME}."
        ) from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise errors.AuthorizationError(f"The secret {SECRET_NAME} is not JSON: {how}.") from None
    if not isinstance(data, dict) or data.get("type") not in _KNOWN_TYPES:
        raise errors.AuthorizationError(
            f"The secret {SECRET_NAME} is not a Google credentials file "
            f'(its "type" must be one of {", ".join(sorted(_KNOWN_TYPES))}).'
        )
    return data


def _credentials() -> dict[str, Any]:
    data = _stored()
    if data is None:
        return _from_secret()
    if data.get("type") not in _KNOWN_TYPES:
        raise errors.AuthorizationError("The stored Google credentials are not usable.")
    return data


def _write_private(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def authenticate_user(clear_output: bool = True, project_id: str | None = None) -> None:
    """Make the stored credentials the runtime's Google application-default credentials."""
    del clear_output  # nothing is shown while authenticating
    data = _credentials()
    text = json.dumps(data)
    path = os.path.expanduser("~/.config/gcloud/application_default_credentials.json")
    try:
        _write_private(path, text)
    except OSError:  # home not writable in this runtime
        path = os.path.join(
            tempfile.mkdtemp(prefix="gcloud-"), "application_default_credentials.json"
        )
        _write_private(path, text)
    os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = path
    project = project_id or data.get("project_id") or data.get("quota_project_id")
    if project:
        os.environ["GOOGLE_CLOUD_PROJECT"] = str(project)
        os.environ["CLOUDSDK_CORE_PROJECT"] = str(project)
    if data.get("type") == "authorized_user" and data.get("token_uri"):
        _honour_token_uri()


def _honour_token_uri() -> None:
    """google-auth reads an ``authorized_user`` file's refresh token and client but always
    sends it to Google's token endpoint, ignoring the file's ``token_uri``. A deployment
    whose BigQuery-compatible server has its own token endpoint says so in that field;
    honour it (files without one, as gcloud writes them, keep Google's)."""
    try:
        from google.oauth2 import credentials as oauth2
    except ImportError:  # google-auth not installed: nothing reads the file anyway
        return
    cls: Any = oauth2.Credentials
    if getattr(cls, "_cloudbook_token_uri", False):
        return
    original = cls.from_authorized_user_info.__func__

    def from_authorized_user_info(klass: Any, info: Any, scopes: Any = None) -> Any:
        creds = original(klass, info, scopes)
        uri = info.get("token_uri") if isinstance(info, dict) else None
        return creds.with_token_uri(uri) if uri and uri != creds.token_uri else creds

    cls.from_authorized_user_info = classmethod(from_authorized_user_info)
    cls._cloudbook_token_uri = True
