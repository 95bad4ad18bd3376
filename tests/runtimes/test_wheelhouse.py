"""The images' wheelhouse is every runtime's find-links folder, read-only: `!pip install`
of a wheel a build downloaded comes from local disk (here with the network off), and a
runtime cannot write into it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.runtimes.conftest import Runtimes, run

pytestmark = pytest.mark.timeout(300)


async def test_pip_install_takes_wheels_from_the_shared_wheelhouse(runtimes: Runtimes) -> None:
    wheelhouse = runtimes.runtimes_dir.parent / "images" / "wheelhouse"
    wheelhouse.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheelhouse),
         "six==1.16.0"],
        check=True, timeout=120,
    )  # fmt: skip
    provider = runtimes.provider("auto", network_mode="none", wheelhouse=wheelhouse)
    runtime = await runtimes.start(provider)
    kernel = await runtimes.kernel(runtime)
    out = await run(
        kernel,
        "!pip install --retries 0 --timeout 1 six==1.16.0 2>&1 | tail -1\n"
        "import importlib, six; importlib.reload(six); print('six', six.__version__)\n"
        "import os\n"
        f"print('writable', os.access({str(wheelhouse)!r}, os.W_OK))",
        timeout=240,
    )
    assert "Successfully installed six-1.16.0" in out
    assert "six 1.16.0" in out
    assert "writable False" in out
    assert sorted(p.name for p in wheelhouse.iterdir()) == ["six-1.16.0-py2.py3-none-any.whl"]
