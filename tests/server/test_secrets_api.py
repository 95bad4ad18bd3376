"""Secrets (Colab's userdata) as the page sees them: names only in lists, values only to
notebooks the user granted, encrypted at rest, each user's own."""

from __future__ import annotations

import logging
import stat

import pytest
from sqlalchemy import text

from tests.conftest import AppHarness
from tests.server.test_notebooks_api import assert_error

VALUE = "sk-live-9f8e7d6c5b4a-plaintext-marker"


async def _notebook(client: object, name: str = "n.ipynb") -> str:
    r = await client.post("/api/notebooks", json={"name": name})  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_create_list_update_delete_and_grant(
    harness: AppHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = await harness.user("alice")
    nb = await _notebook(alice)

    r = await alice.put("/api/secrets/API_KEY", json={"value": VALUE})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "API_KEY" and VALUE not in r.text
    await alice.put("/api/secrets/OTHER", json={"value": "x"})

    listed = await alice.get("/api/secrets")
    assert [s["name"] for s in listed.json()["secrets"]] == ["API_KEY", "OTHER"]
    assert VALUE not in listed.text

    # Not granted yet: the notebook learns that it exists, not its value.
    read = await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")
    assert read.json() == {"exists": True, "access": False}
    assert read.headers["cache-control"] == "no-store"
    missing = await alice.get(f"/api/notebooks/{nb}/secrets/NOPE")
    assert missing.json() == {"exists": False}

    r = await alice.put(f"/api/notebooks/{nb}/secrets/API_KEY/access", json={"granted": True})
    assert r.status_code == 204, r.text
    read = await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")
    assert read.json() == {"exists": True, "access": True, "payload": VALUE}
    with_access = (await alice.get(f"/api/secrets?notebook_id={nb}")).json()["secrets"]
    assert {s["name"]: s["access"] for s in with_access} == {"API_KEY": True, "OTHER": False}

    # Another notebook of the same user has no access: grants are per notebook.
    nb2 = await _notebook(alice, "m.ipynb")
    assert (await alice.get(f"/api/notebooks/{nb2}/secrets/API_KEY")).json()["access"] is False

    # Updating keeps the grant; the new value is served.
    await alice.put("/api/secrets/API_KEY", json={"value": "second"})
    assert (await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")).json()["payload"] == "second"

    await alice.put(f"/api/notebooks/{nb}/secrets/API_KEY/access", json={"granted": False})
    assert (await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")).json()["access"] is False

    assert (await alice.delete("/api/secrets/API_KEY")).status_code == 204
    assert (await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")).json() == {"exists": False}
    assert_error(await alice.delete("/api/secrets/API_KEY"), 404, "no_such_secret")
    assert [s["name"] for s in (await alice.get("/api/secrets")).json()["secrets"]] == ["OTHER"]

    assert not any(VALUE in rec.getMessage() for rec in caplog.records)


async def test_values_are_encrypted_at_rest(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    await alice.put("/api/secrets/TOKEN", json={"value": VALUE})
    db = harness.app.state.cloudbook.services.db  # type: ignore[attr-defined]
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT name, ciphertext FROM secrets"))).all()
    assert [r[0] for r in rows] == ["TOKEN"]
    blob = bytes(rows[0][1])
    assert VALUE.encode() not in blob and len(blob) >= len(VALUE)
    key = harness.settings.data_dir / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    if db.is_sqlite:  # nor anywhere in the database file (WAL included)
        folder = harness.settings.data_dir
        for path in folder.glob("cloudbook.db*"):
            assert VALUE.encode() not in path.read_bytes()


async def test_other_users_see_only_their_own(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    bob = await harness.user("bob")
    nb = await _notebook(alice)
    await alice.put("/api/secrets/API_KEY", json={"value": VALUE})
    await alice.put(f"/api/notebooks/{nb}/secrets/API_KEY/access", json={"granted": True})

    assert (await bob.get("/api/secrets")).json() == {"secrets": []}
    # Alice's notebook is not Bob's: 404, and no value anywhere.
    for r in (
        await bob.get(f"/api/notebooks/{nb}/secrets/API_KEY"),
        await bob.put(f"/api/notebooks/{nb}/secrets/API_KEY/access", json={"granted": True}),
        await bob.get(f"/api/secrets?notebook_id={nb}"),
    ):
        assert_error(r, 404, "no_such_notebook")
        assert VALUE not in r.text
    assert_error(await bob.delete("/api/secrets/API_KEY"), 404, "no_such_secret")

    # Bob's own secret of the same name, in his own notebook: his value, never Alice's.
    bob_nb = await _notebook(bob)
    await bob.put("/api/secrets/API_KEY", json={"value": "bobs-value"})
    await bob.put(f"/api/notebooks/{bob_nb}/secrets/API_KEY/access", json={"granted": True})
    read = await bob.get(f"/api/notebooks/{bob_nb}/secrets/API_KEY")
    assert read.json()["payload"] == "bobs-value"
    got = await alice.get(f"/api/notebooks/{nb}/secrets/API_KEY")
    assert got.json()["payload"] == VALUE
    anonymous = harness.anonymous()
    assert_error(await anonymous.get("/api/secrets"), 401)


async def test_bad_input_is_refused_without_echoing_the_value(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    for bad in ("1ABC", "has-dash", "a" * 129, "sp ace"):
        r = await alice.put(f"/api/secrets/{bad}", json={"value": VALUE})
        assert_error(r, 400, "invalid_secret_name")
        assert VALUE not in r.text
    big = VALUE * 3000
    r = await alice.put("/api/secrets/BIG", json={"value": big})
    assert r.status_code in (400, 422) and VALUE not in r.text
    r = await alice.put("/api/secrets/NOVALUE", json={"value": 12})
    assert r.status_code == 422
    assert (await alice.get("/api/secrets")).json() == {"secrets": []}
    # Without the XSRF header a browser session cannot write.
    r = await alice.http.put("/api/secrets/X", json={"value": VALUE})
    assert_error(r, 403, "xsrf_failed")


async def test_configured_key_is_used_and_a_wrong_one_fails_clearly(
    harness: AppHarness,
) -> None:
    import base64

    from cloudbook.services.keyring import InvalidMasterKey, Keyring, load_master_key

    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    assert load_master_key(harness.settings.data_dir, key) == b"k" * 32
    with pytest.raises(InvalidMasterKey) as info:
        load_master_key(harness.settings.data_dir, "c2hvcnQ")
    assert "c2hvcnQ" not in str(info.value)

    alice = await harness.user("alice")
    nb = await _notebook(alice)
    await alice.put("/api/secrets/K", json={"value": VALUE})
    await alice.put(f"/api/notebooks/{nb}/secrets/K/access", json={"granted": True})
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    services.secrets.keyring = Keyring(b"z" * 32)  # as after a lost key file
    r = await alice.get(f"/api/notebooks/{nb}/secrets/K")
    assert_error(r, 409, "secret_unreadable")
    assert VALUE not in r.text
