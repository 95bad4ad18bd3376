"""Google credentials for auth.authenticate_user() (docs/bigquery.md): stored encrypted,
described without their secret parts, handed only to the asking user's own notebook."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from tests.cli.test_run_auth import service_account_key
from tests.conftest import AppHarness
from tests.server.test_notebooks_api import assert_error
from tests.server.test_secrets_api import _notebook

PATH = "/api/me/credentials/google"
REFRESH = {
    "type": "authorized_user",
    "client_id": "cid.apps.example",
    "client_secret": "client-secret-marker",
    "refresh_token": "refresh-token-marker-1234567890",
}


async def test_store_describe_hand_over_and_remove(
    harness: AppHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = await harness.user("alice")
    nb = await _notebook(alice)
    assert (await alice.get(PATH)).json() == {
        "stored": False,
        "type": None,
        "principal": None,
        "project_id": None,
        "updated_at": None,
    }
    key = service_account_key()
    r = await alice.put(PATH, json={"credentials_json": json.dumps(key)})
    assert r.status_code == 200, r.text
    described = r.json()
    assert (described["stored"], described["type"], described["principal"]) == (
        True,
        "service_account",
        "robot@demo-project.iam.gserviceaccount.com",
    )
    assert described["project_id"] == "demo-project"
    secret_line = key["private_key"].splitlines()[1]
    assert secret_line not in r.text and secret_line not in (await alice.get(PATH)).text

    # The kernel's request, answered by the page: the credential itself, never cached.
    handed = await alice.post(f"/api/notebooks/{nb}/credentials/google")
    assert handed.status_code == 200 and handed.headers["cache-control"] == "no-store"
    assert handed.json() == {"exists": True, "credentials": key}

    # Replacing with a refresh token; the Secrets panel never lists the credential.
    r = await alice.put(PATH, json={"credentials_json": json.dumps(REFRESH)})
    assert r.json()["type"] == "authorized_user" and r.json()["principal"] == REFRESH["client_id"]
    assert REFRESH["refresh_token"] not in r.text
    assert (await alice.get("/api/secrets")).json() == {"secrets": []}
    handed = await alice.post(f"/api/notebooks/{nb}/credentials/google")
    assert handed.json()["credentials"] == REFRESH

    assert (await alice.delete(PATH)).status_code == 204
    assert (await alice.post(f"/api/notebooks/{nb}/credentials/google")).json() == {"exists": False}
    assert_error(await alice.delete(PATH), 404, "no_credentials")
    for rec in caplog.records:
        assert secret_line not in rec.getMessage()
        assert REFRESH["refresh_token"] not in rec.getMessage()


async def test_encrypted_at_rest(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    await alice.put(PATH, json={"credentials_json": json.dumps(REFRESH)})
    db = harness.app.state.cloudbook.services.db  # type: ignore[attr-defined]
    async with db.engine.connect() as conn:
        blobs = [bytes(r[0]) for r in (await conn.execute(text("SELECT ciphertext FROM secrets")))]
    assert len(blobs) == 1 and REFRESH["refresh_token"].encode() not in blobs[0]
    if db.is_sqlite:
        for path in harness.settings.data_dir.glob("cloudbook.db*"):
            assert REFRESH["refresh_token"].encode() not in path.read_bytes()


async def test_another_user_never_gets_them(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    alice_nb = await _notebook(alice)
    bob_nb = await _notebook(bob)
    await alice.put(PATH, json={"credentials_json": json.dumps(REFRESH)})

    # Bob's own notebook, Bob's own (none); Alice's notebook is not his to open.
    assert (await bob.post(f"/api/notebooks/{bob_nb}/credentials/google")).json() == {
        "exists": False
    }
    r = await bob.post(f"/api/notebooks/{alice_nb}/credentials/google")
    assert_error(r, 404, "no_such_notebook")
    assert REFRESH["refresh_token"] not in r.text
    assert (await bob.get(PATH)).json()["stored"] is False
    assert_error(await bob.delete(PATH), 404, "no_credentials")
    # Nor can the Secrets API reach the row under its reserved name.
    r = await bob.get(f"/api/notebooks/{bob_nb}/secrets/cloudbook:google-credentials")
    assert REFRESH["refresh_token"] not in r.text
    r = await alice.get(f"/api/notebooks/{alice_nb}/secrets/cloudbook:google-credentials")
    assert_error(r, 400, "invalid_secret_name")
    assert_error(await harness.anonymous().get(PATH), 401)
    # Alice still has hers.
    handed = await alice.post(f"/api/notebooks/{alice_nb}/credentials/google")
    assert handed.json()["credentials"] == REFRESH


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("not json {", "not JSON"),
        (json.dumps({"type": "external_account"}), '"type" must be'),
        (json.dumps({"type": "service_account", "client_email": "x@y"}), "lack: private_key"),
        (json.dumps({**REFRESH, "refresh_token": ""}), "lack: refresh_token"),
        (json.dumps([1, 2]), '"type" must be'),
    ],
)
async def test_bad_credentials_are_refused_and_change_nothing(
    harness: AppHarness, body: str, says: str
) -> None:
    alice = await harness.user("alice")
    await alice.put(PATH, json={"credentials_json": json.dumps(REFRESH)})
    r = await alice.put(PATH, json={"credentials_json": body})
    assert_error(r, 400, "credentials_invalid")
    assert says in r.json()["error"]["message"]
    assert (await alice.get(PATH)).json()["type"] == "authorized_user"
