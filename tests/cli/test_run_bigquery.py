"""BigQuery as on Colab, in a real sandboxed runtime (`cloudbook run`): the run user's
stored Google credentials become Application Default Credentials through
``auth.authenticate_user()``, and ``%%bigquery`` / ``bigquery.Client`` / pandas-gbq query
a fake BigQuery (tests/fakes/fake_bigquery.py) named by ``CLOUDBOOK_BIGQUERY_ENDPOINT``.

Set-up: the runtime keeps its sandbox and its default network. A sandboxed runtime
cannot reach the host's loopback, so the fake runs *inside* the runtime, on the
runtime's own loopback (its private network namespace: a fixed port there collides
with nothing on the host), started by the notebook's first cell from the fake's source.
The credentials' ``token_uri`` points at the fake too, so token exchange (signed JWT or
refresh token) is checked end to end.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_run import code, write_nb
from tests.cli.test_run_auth import service_account_key

pytestmark = pytest.mark.timeout(240)

ENDPOINT = "http://127.0.0.1:9050"  # inside the runtime's own network namespace
FAKE = Path(__file__).parents[1] / "fakes" / "fake_bigquery.py"
OAUTH = {"client_id": "cid-123.apps.example", "secret": "client-secret", "refresh_token": "rt-456"}


def public_pem(key: dict[str, str]) -> str:
    from cryptography.hazmat.primitives import serialization

    private: Any = serialization.load_pem_private_key(key["private_key"].encode(), None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def start_fake_cell(config: dict[str, Any]) -> dict[str, Any]:
    return code(
        "import pathlib, subprocess, sys\n"
        f"pathlib.Path('/tmp/fake_bigquery.py').write_text({FAKE.read_text()!r})\n"
        f"pathlib.Path('/tmp/fake.json').write_text({json.dumps(config)!r})\n"
        "fake = subprocess.Popen([sys.executable, '/tmp/fake_bigquery.py', '/tmp/fake.json',"
        " '9050'], stdout=subprocess.PIPE, text=True)\n"
        "print(fake.stdout.readline().strip())"
    )


QUERIES = [
    code("from google.colab import auth\nauth.authenticate_user()\nprint('authenticated')"),
    code(
        "%%bigquery df --project demo-project\n"
        "SELECT name, n FROM `demo-project.demo.names` WHERE n > 40 ORDER BY n DESC"
    ),
    code("print(df.to_csv(index=False), end='')"),
    code(
        "from google.cloud import bigquery\n"
        "client = bigquery.Client(project='demo-project')\n"
        "total = client.query('SELECT SUM(n) AS total FROM `demo-project.demo.names`')"
        ".to_dataframe()\n"
        "print(int(total.total[0]))"
    ),
    code(
        "import pandas_gbq\n"
        "avg = pandas_gbq.read_gbq('SELECT AVG(score) AS s FROM `demo.names`',"
        " project_id='demo-project', progress_bar_type=None)\n"
        "print(avg.s[0])"
    ),
    code(
        "import json, urllib.request\n"
        "log = json.load(urllib.request.urlopen('http://127.0.0.1:9050/_fake/log'))\n"
        "print(sorted({(e['who'], e['project']) for e in log}), len(log))"
    ),
]


def store(data_dir: Path, user: str, credentials: dict[str, Any] | None) -> None:
    """What PUT /api/me/credentials/google does, on the run's own store and key."""
    from cloudbook.services.google_credentials import GoogleCredentialService
    from cloudbook.services.keyring import Keyring, load_master_key
    from cloudbook.services.users import UserService
    from cloudbook.store.database import Database

    async def go() -> None:
        db = Database(f"sqlite+aiosqlite:///{data_dir / 'cloudbook.db'}")
        await db.upgrade()
        try:
            info = await UserService(db).create(user, "pw-" + user * 3, is_admin=False)
            if credentials is not None:
                keyring = Keyring(load_master_key(data_dir))
                await GoogleCredentialService(db, keyring).put(info, json.dumps(credentials))
        finally:
            await db.dispose()

    data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(go())


def run_as(tmp_path: Path, user: str, nb: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLOUDBOOK_SANDBOX": "auto", "CLOUDBOOK_BIGQUERY_ENDPOINT": ENDPOINT}
    env.pop("CLOUDBOOK_RUNTIME_NETWORK", None)  # the default: the runtime's own namespace
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cloudbook",
            "run",
            str(nb),
            "--user",
            user,
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=230,
        env=env,
    )


def fake_config(sa: dict[str, str]) -> dict[str, Any]:
    return {
        "service_accounts": {sa["client_email"]: public_pem(sa)},
        "oauth_clients": {
            OAUTH["client_id"]: {"secret": OAUTH["secret"], "refresh_token": OAUTH["refresh_token"]}
        },
    }


def printed(cell: dict[str, Any]) -> str:
    """stdout only: without google-cloud-bigquery-storage the client warns on stderr
    that it reads rows over REST, which is what the fake serves."""
    return "".join(
        o["text"] for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == "stdout"
    )


def check_results(cells: list[dict[str, Any]], who: str) -> None:
    assert printed(cells[0]) == "ready 9050\n"
    assert printed(cells[1]) == "authenticated\n"
    assert printed(cells[3]) == "name,n\ngrace,85\nedsger,72\nalan,41\n"
    assert printed(cells[4]) == "234\n"
    assert printed(cells[5]) == "1.8125\n"
    assert printed(cells[6]) == f"[('{who}', 'demo-project')] 3\n"


def test_service_account_key_through_magic_client_and_pandas_gbq(tmp_path: Path) -> None:
    sa = service_account_key()
    sa["token_uri"] = ENDPOINT + "/token"
    store(tmp_path / "data", "alice", sa)
    store(tmp_path / "data", "bob", None)
    nb = write_nb(tmp_path / "bq.ipynb", start_fake_cell(fake_config(sa)), *QUERIES)
    result = run_as(tmp_path, "alice", nb)
    assert result.returncode == 0, result.stderr
    executed = (tmp_path / "bq.out.ipynb").read_text()
    check_results(json.loads(executed)["cells"], sa["client_email"])
    # The key never lands in the notebook or the run's output.
    secret_line = sa["private_key"].splitlines()[1]
    assert secret_line not in executed and secret_line not in result.stderr

    # Bob stored nothing: his kernel gets no credentials (never alice's).
    nb = write_nb(tmp_path / "bob.ipynb", start_fake_cell(fake_config(sa)), QUERIES[0])
    result = run_as(tmp_path, "bob", nb)
    assert result.returncode == 1
    assert "AuthorizationError: No Google credentials are stored" in result.stderr
    assert secret_line not in (tmp_path / "bob.out.ipynb").read_text()


def test_oauth_refresh_token(tmp_path: Path) -> None:
    sa = service_account_key()
    user = {
        "type": "authorized_user",
        "client_id": OAUTH["client_id"],
        "client_secret": OAUTH["secret"],
        "refresh_token": OAUTH["refresh_token"],
        "token_uri": ENDPOINT + "/token",
        "quota_project_id": "demo-project",
    }
    store(tmp_path / "data", "carol", user)
    nb = write_nb(tmp_path / "bq.ipynb", start_fake_cell(fake_config(sa)), *QUERIES)
    result = run_as(tmp_path, "carol", nb)
    assert result.returncode == 0, result.stderr
    executed = (tmp_path / "bq.out.ipynb").read_text()
    cells = json.loads(executed)["cells"]
    check_results(cells, OAUTH["client_id"])
    # The fake's configuration (cell 1's source) holds the token; no output does.
    outputs = json.dumps([c["outputs"] for c in cells])
    assert OAUTH["refresh_token"] not in outputs and OAUTH["secret"] not in outputs
    assert OAUTH["refresh_token"] not in result.stderr
