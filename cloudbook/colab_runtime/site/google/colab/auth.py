"""``google.colab.auth``: Google application-default credentials from a stored secret.

The user keeps a credentials JSON (a service-account key, an authorized-user
file from ``gcloud auth application-default login``, or an external-account
config) as the secret ``GOOGLE_APPLICATION_CREDENTIALS_JSON``.
``authenticate_user()`` writes it where Google's client libraries look
(``~/.config/gcloud/application_default_credentials.json``) and points
``GOOGLE_APPLICATION_CREDENTIALS`` at it, so ``bigquery.Client()`` and
friends (and ``gcloud`` run with ``!``) find it.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from google.colab import errors, userdata

__all__ = ["SECRET_NAME", "authenticate_user"]

SECRET_NAME = "GOOGLE_APPLICATION_CREDENTIALS_JSON"
_KNOWN_TYPES = {
    "service_account",
    "authorized_user",
    "external_account",
    "impersonated_service_account",
}


def _credentials() -> dict[str, Any]:
    how = (
        f"add a secret named {SECRET_NAME} holding a Google credentials JSON "
        "(for example a service-account key) in the Secrets panel and let this notebook use it"
    )
    try:
        raw = userdata.get(SECRET_NAME)
    except userdata.SecretNotFoundError:
        raise errors.AuthorizationError(f"No Google credentials are stored: {how}.") from None
    except userdata.NotebookAccessError:
        raise errors.AuthorizationError(
            f"This notebook was not allowed to read the secret {SECRET_NAME}."
        ) from None
    try:
        data: Any = json.loads(raw)
    except ValueError:
        raise errors.AuthorizationError(f"The secret {SECRET_NAME} is not JSON: {how}.") from None
    if not isinstance(data, dict) or data.get("type") not in _KNOWN_TYPES:
        raise errors.AuthorizationError(
            f"The secret {SECRET_NAME} is not a Google credentials file "
            f'(its "type" must be one of {", ".join(sorted(_KNOWN_TYPES))}).'
        )
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
