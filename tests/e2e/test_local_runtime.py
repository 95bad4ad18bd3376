"""'Connect to a local runtime': the page talks to a plain `jupyter server` directly
(started as the docs say, with --ServerApp.allow_origin set to the page's origin), in a
fresh venv that has only the cloudbook-colab wheel of ours."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.colab_wheel import venv_with_wheel
from tests.e2e.colab_steps import open_notebook, outputs, run_and_wait
from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
URL_LINE = re.compile(r"(http://127\.0\.0\.1:\d+/\S*\?token=\S+)")


@pytest.fixture
def local_server(tmp_path: Path, cloudbook_server: Served) -> Iterator[str]:
    """A user's own Jupyter server; yields the URL it printed (port 0 and a token of its
    own making, both read from its output as a user would)."""
    python = venv_with_wheel(tmp_path / "colab")
    root = tmp_path / "home"
    root.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))},
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jconfig"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jruntime"),
    }
    proc = subprocess.Popen(
        [
            str(python),
            "-m",
            "jupyter_server",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            "--port=0",
            f"--ServerApp.allow_origin={cloudbook_server.base}",
            f"--ServerApp.root_dir={root}",
        ],
        env=env,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:  # the output is drained for the server's whole life
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            match = URL_LINE.search(line)
            if match:
                found.put(match.group(1))

    threading.Thread(target=read, daemon=True).start()
    try:
        try:
            url: str | None = found.get(timeout=90)
        except queue.Empty:
            url = None
        assert url, "".join(seen)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def test_page_runs_code_on_a_local_jupyter_server(
    page: Page, cloudbook_server: Served, local_server: str, tmp_path: Path
) -> None:
    form = 'n = 4  #@param {type:"integer"}\nprint(n * 10)'
    nb_id = open_notebook(
        page,
        cloudbook_server,
        "local.ipynb",
        [
            "1+1",
            form,
            "import google.colab, sys\nprint(google.colab.__file__.startswith(sys.prefix))",
            "from google.colab import output\nprint(output.eval_js('6*7'))",
            "import ipywidgets as widgets\n"
            "level = widgets.IntSlider(value=3, min=0, max=10, description='Level')\n"
            "level",
            "print('level is', level.value)",
        ],
    )
    # "By URL" makes the service connect: off unless the operator allows addresses.
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Connect to a runtime by URL")).click()
    by_url = page.get_by_test_id("runtime-url-dialog")
    by_url.get_by_test_id("runtime-url").fill(local_server)
    by_url.get_by_test_id("runtime-url-connect").click()
    expect(by_url.get_by_test_id("runtime-dialog-error")).to_contain_text("turned off")
    by_url.get_by_test_id("runtime-url-cancel").click()

    dialog = page.get_by_test_id("local-runtime-dialog")
    # The command to start the server names this page's origin.
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Connect to a local runtime")).click()
    expect(dialog.get_by_test_id("local-runtime-command")).to_contain_text(
        f"--ServerApp.allow_origin='{cloudbook_server.base}'"
    )
    error = dialog.get_by_test_id("runtime-dialog-error")
    dialog.get_by_test_id("local-runtime-url").fill("localhost 8888")
    dialog.get_by_test_id("local-runtime-connect").click()
    expect(error).to_contain_text("Paste the URL the server printed")
    wrong = re.sub(r"token=\w+", "token=wrong", local_server)
    dialog.get_by_test_id("local-runtime-url").fill(wrong)
    dialog.get_by_test_id("local-runtime-connect").click()
    expect(error).to_contain_text("refused the token")
    dialog.get_by_test_id("local-runtime-url").fill(local_server)
    dialog.get_by_test_id("local-runtime-connect").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("kernel-state")).to_contain_text("(local)")

    for index in range(4):
        run_and_wait(page, index)
    expect(outputs(page, 0)).to_have_text("2")
    expect(outputs(page, 1)).to_have_text("40")
    expect(page.get_by_test_id("cell").nth(1).get_by_test_id("cell-form")).to_be_visible()
    expect(outputs(page, 2)).to_have_text("True")  # the wheel's google.colab, in its venv
    expect(outputs(page, 3)).to_have_text("42")  # a Colab request answered by the page
    # Widgets: the slider renders in the output frame and moving it reaches the kernel.
    run_and_wait(page, 4)
    slider = page.get_by_test_id("cell").nth(4).frame_locator("iframe.output-frame")
    handle = slider.locator(".noUi-handle")
    expect(handle).to_be_visible(timeout=60_000)
    expect(slider.locator(".widget-readout")).to_have_text("3")
    handle.focus()
    handle.press("ArrowRight")
    expect(slider.locator(".widget-readout")).to_have_text("4")
    run_and_wait(page, 5)
    expect(outputs(page, 5)).to_have_text("level is 4")
    page.screenshot(path=str(tmp_path / "local-runtime.png"), full_page=True)
    # The service was never asked for a runtime: the page talked to the server directly.
    status = page.evaluate(
        "async (id) => (await fetch('/api/notebooks/' + id + '/session')).status", nb_id
    )
    assert status == 404
