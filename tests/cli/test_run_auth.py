"""auth.authenticate_user() in a real (headless) runtime: a service-account key stored as a
secret becomes Google's application-default credentials; without one, a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_run import code, run, stdout_of, write_nb

pytestmark = pytest.mark.timeout(180)

CHECK = (
    "from google.colab import auth\n"
    "auth.authenticate_user()\n"
    "import os, stat, google.auth\n"
    "creds, project = google.auth.default()\n"
    "path = os.environ['GOOGLE_APPLICATION_CREDENTIALS']\n"
    "print(type(creds).__name__, project, creds.service_account_email,\n"
    "      oct(stat.S_IMODE(os.stat(path).st_mode)), os.path.isabs(path))"
)


def service_account_key() -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "robot@demo-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def test_stored_key_becomes_application_default_credentials(tmp_path: Path) -> None:
    key = service_account_key()
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(key))
    nb = write_nb(tmp_path / "auth.ipynb", code(CHECK))
    result = run(tmp_path, str(nb), "--secret", f"GOOGLE_APPLICATION_CREDENTIALS_JSON=@{key_file}")
    assert result.returncode == 0, result.stderr
    executed = (tmp_path / "auth.out.ipynb").read_text()
    out = stdout_of(json.loads(executed)["cells"][0]).split()
    assert out == [
        "Credentials",
        "demo-project",
        "robot@demo-project.iam.gserviceaccount.com",
        "0o600",
        "True",
    ]
    private = key["private_key"].splitlines()[1]
    assert private not in executed and private not in result.stderr


def test_without_stored_credentials_the_error_says_what_to_do(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "auth.ipynb", code(CHECK))
    result = run(tmp_path, str(nb), "--secret", "UNRELATED=x")
    assert result.returncode == 1
    assert "AuthorizationError" in result.stderr
    assert "No Google credentials are stored" in result.stderr
    assert "GOOGLE_APPLICATION_CREDENTIALS_JSON" in result.stderr


def test_secret_values_are_checked_before_anything_runs(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "x.ipynb", code("print(1)"))
    result = run(tmp_path, str(nb), "--secret", "no-equals-sign")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr
    result = run(tmp_path, str(nb), "--secret", "K=@/nonexistent/file")
    assert result.returncode == 2 and "cannot read" in result.stderr
