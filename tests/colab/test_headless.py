"""Headless runs (``cloudbook run``): what needs a browser comes from the command line or
fails at once, naming what was missing."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.colab.kernel import Kernel, kernel_env

pytestmark = pytest.mark.asyncio(loop_scope="module")

CREDENTIALS = {"type": "service_account", "project_id": "demo-project", "client_email": "a@b.c"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def headless(module_tmp: Path) -> AsyncIterator[Kernel]:
    content = module_tmp / "content"
    content.mkdir()
    (content / "input.csv").write_text("already here")
    sources = module_tmp / "sources"
    sources.mkdir()
    (sources / "local.csv").write_bytes(b"x,y\n1,2\n")
    (sources / "other.bin").write_bytes(bytes(range(256)) * 5000)
    secrets = module_tmp / "secrets.json"
    secrets.write_text(
        json.dumps(
            {"API_KEY": "s3cr3t", "GOOGLE_APPLICATION_CREDENTIALS_JSON": json.dumps(CREDENTIALS)}
        )
    )
    env = kernel_env(
        module_tmp,
        CLOUDBOOK_HEADLESS="1",
        CLOUDBOOK_UPLOADS=json.dumps(
            {"input.csv": str(sources / "local.csv"), "other.bin": str(sources / "other.bin")}
        ),
        CLOUDBOOK_SECRETS_FILE=str(secrets),
        HOME=str(module_tmp / "home"),
    )
    k = await Kernel.start(env)
    (await k.execute(f"import os; os.chdir({str(content)!r})")).raise_for_error()
    yield k
    await k.stop()


async def test_upload_takes_the_command_line_files(headless: Kernel, module_tmp: Path) -> None:
    r = await headless.execute(
        "from google.colab import files\n"
        "up = files.upload()\n"
        "print(sorted((k, len(v)) for k, v in up.items()))\n"
    )
    r.raise_for_error()
    assert r.stdout.splitlines() == [
        "Saving input.csv to input (1).csv",
        "Saving other.bin to other.bin",
        "[('input.csv', 8), ('other.bin', 1280000)]",
    ]
    content = module_tmp / "content"
    assert (content / "input (1).csv").read_bytes() == b"x,y\n1,2\n"
    assert (content / "other.bin").read_bytes() == (module_tmp / "sources/other.bin").read_bytes()
    assert not r.requests  # nothing was asked of a browser


async def test_browser_only_calls_fail_at_once(headless: Kernel) -> None:
    started = time.monotonic()
    r = await headless.execute("from google.colab import output\noutput.eval_js('1+1')")
    assert r.error is not None and r.error["ename"] == "HeadlessError"
    assert "output.eval_js() needs a browser" in r.error["evalue"]
    assert "headless" in r.error["evalue"]
    r = await headless.execute("import os\nos.environ.pop('CLOUDBOOK_UPLOADS')\nfiles.upload()")
    assert r.error is not None and r.error["ename"] == "HeadlessError"
    assert "files.upload() needs a browser" in r.error["evalue"]
    assert "cloudbook run --upload NAME=PATH" in r.error["evalue"]
    r = await headless.execute("files.upload_file('x.csv')")
    assert r.error is not None and "--upload NAME=PATH" in r.error["evalue"]
    assert time.monotonic() - started < 10
    assert not r.requests


async def test_shell_commands_get_no_stdin(headless: Kernel) -> None:
    started = time.monotonic()
    r = await headless.execute('!cat; read -r line; echo "read:$line:$?"')
    r.raise_for_error()
    assert r.stdout == "read::1\n"
    assert time.monotonic() - started < 10
    assert not r.requests  # no stdin box asked for


async def test_secrets_come_from_the_secrets_file(headless: Kernel) -> None:
    r = await headless.execute("from google.colab import userdata\nprint(userdata.get('API_KEY'))")
    assert r.raise_for_error().stdout == "s3cr3t\n"
    r = await headless.execute("userdata.get('MISSING')")
    assert r.error is not None and r.error["ename"] == "SecretNotFoundError"
    assert r.error["evalue"].startswith("Secret MISSING does not exist.")
    assert "--secret KEY=VALUE" in r.error["evalue"]
    r = await headless.execute(
        "import os\n"
        "old = os.environ.pop('CLOUDBOOK_SECRETS_FILE')\n"
        "try:\n"
        "    userdata.get('API_KEY')\n"
        "except userdata.SecretNotFoundError as e:\n"
        "    print(e)\n"
        "os.environ['CLOUDBOOK_SECRETS_FILE'] = old\n"
    )
    assert "Secret API_KEY does not exist." in r.raise_for_error().stdout


async def test_authenticate_user_writes_application_default_credentials(
    headless: Kernel, module_tmp: Path
) -> None:
    r = await headless.execute(
        "from google.colab import auth\n"
        "auth.authenticate_user()\n"
        "print(os.environ['GOOGLE_APPLICATION_CREDENTIALS'], os.environ['GOOGLE_CLOUD_PROJECT'])\n"
        "print(oct(os.stat(os.environ['GOOGLE_APPLICATION_CREDENTIALS']).st_mode & 0o777))\n"
    )
    r.raise_for_error()
    path = module_tmp / "home/.config/gcloud/application_default_credentials.json"
    assert r.stdout.splitlines() == [f"{path} demo-project", "0o600"]
    assert json.loads(path.read_text()) == CREDENTIALS
    r = await headless.execute(
        "os.environ['CLOUDBOOK_SECRETS_FILE'] = '/nonexistent/none.json'\n"
        "os.environ.pop('CLOUDBOOK_SECRETS_FILE')\n"
        "auth.authenticate_user()"
    )
    assert r.error is not None and r.error["ename"] == "AuthorizationError"
    assert "GOOGLE_APPLICATION_CREDENTIALS_JSON" in r.error["evalue"]
    assert "Secrets panel" in r.error["evalue"]


async def test_download_and_unassign_are_harmless(headless: Kernel, module_tmp: Path) -> None:
    r = await headless.execute(
        "from google.colab import runtime\nfiles.download('other.bin')\nruntime.unassign()"
    )
    r.raise_for_error()
    assert "headless run" in r.stdout
    assert "runtime.unassign(): headless run" in r.stdout
    assert not r.of("display_data")
