"""The `local` provider with real Jupyter servers and kernels, sandboxed and not."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from cloudbook.runtimes.connect import http_client, http_url
from cloudbook.runtimes.local import MARKER, LocalProvider, RuntimeStartError, runtime_pids
from cloudbook.runtimes.provider import Runtime, RuntimeSpec
from cloudbook.runtimes.sandbox import SandboxUnavailable, gpu_devices
from tests.jupyter_fixtures import execute_result
from tests.runtimes.conftest import SANDBOXES, Runtimes, Sandbox, run, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_kernel_runs_in_content(runtimes: Runtimes, sandbox: Sandbox) -> None:
    runtime = await runtimes.start(runtimes.provider(sandbox))
    assert runtime.sandboxed is (sandbox != "none")
    # No port of the runtime is open on the host: its server answers on a Unix socket.
    assert runtime.socket_path == str(
        runtimes.runtimes_dir / runtime.runtime_id / "jupyter-runtime" / "server.sock"
    )
    assert Path(runtime.socket_path).is_socket()
    content = Path(str(runtime.content_dir))
    assert content == runtimes.runtimes_dir / runtime.runtime_id / "content"
    kernel = await runtimes.kernel(runtime)

    cwd = await run(kernel, "import os; print(os.getcwd())")
    assert cwd.strip() == ("/content" if runtime.sandboxed else str(content))
    await run(kernel, "open('hello.txt', 'w').write('from the kernel')")
    assert (content / "hello.txt").read_text() == "from the kernel"
    assert (content / "sample_data").is_dir()

    # The token reaches the server only: not the kernel's environment, not the log.
    env = json.loads(await run(kernel, "import json, os; print(json.dumps(dict(os.environ)))"))
    assert "JUPYTER_TOKEN" not in env
    assert not [k for k, v in env.items() if runtime.token in v]
    assert env[MARKER] == runtime.runtime_id
    log = (runtimes.runtimes_dir / runtime.runtime_id / "server.log").read_text()
    assert runtime.token not in log


async def test_only_cloudbook_extension_loads(runtimes: Runtimes) -> None:
    runtime = await runtimes.start(runtimes.provider("auto"))
    headers = {"Authorization": f"token {runtime.token}"}
    r = await http_client(runtime).get(http_url(runtime, "/api/terminals"), headers=headers)
    # jupyter_server_terminals is installed and enables itself through config.d.
    assert r.status_code == 404


async def test_resources_endpoint(runtimes: Runtimes) -> None:
    runtime = await runtimes.start(runtimes.provider("auto"))
    await runtimes.kernel(runtime)
    url = http_url(runtime, "/api/cloudbook/resources")
    http = http_client(runtime)
    assert (await http.get(url)).status_code == 403
    r = await http.get(url, headers={"Authorization": f"token {runtime.token}"})
    assert r.status_code == 200, r.text
    figures = r.json()
    total = psutil.virtual_memory().total
    # A Jupyter server and an idle kernel: tens of MB each.
    assert 40e6 < figures["memory"]["used"] < min(total, 1e9)
    assert figures["memory"]["total"] == total
    disk = shutil.disk_usage(str(runtime.content_dir))
    assert 0 < figures["disk"]["used"] <= figures["disk"]["total"] == disk.total
    assert isinstance(figures["gpus"], list)
    if not gpu_devices():
        assert figures["gpus"] == []
    for gpu in figures["gpus"]:
        assert gpu["name"] and 0 <= gpu["memory_used"] <= gpu["memory_total"]
        assert 0 <= gpu["utilization"] <= 100


async def test_kernel_websocket_goes_over_the_runtime_socket(runtimes: Runtimes) -> None:
    """The service reaches the runtime's server over its Unix socket: no TCP port on the
    host, and no Nagle delay (with TCP and Nagle on, each round trip waited ~40 ms for a
    delayed ACK). Speed itself is measured by bench/, not asserted here."""
    runtime = await runtimes.start(runtimes.provider("auto"))
    assert runtime.socket_path and Path(runtime.socket_path).is_socket()
    kernel = await runtimes.kernel(runtime)
    for _ in range(5):  # warm up
        await kernel.execute("1+1")
    times = []
    for _ in range(50):
        t = time.perf_counter()
        messages = await kernel.execute("1+1")
        times.append(time.perf_counter() - t)
        assert execute_result(messages) == "2"
    median = statistics.median(times)
    print(f"execute round trip: median {median * 1000:.1f} ms")


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_stop_leaves_nothing(runtimes: Runtimes, sandbox: Sandbox) -> None:
    provider = runtimes.provider(sandbox)
    runtime = await runtimes.start(provider)
    kernel = await runtimes.kernel(runtime)
    # A process of the user's that leaves the kernel's process group and session.
    await run(kernel, "import subprocess; subprocess.Popen(['setsid', 'sleep', '600'])")
    wait_until(lambda: len(runtime_pids(runtime.runtime_id)) >= 3, 10, "the sleep to start")
    assert (await provider.status(runtime)).state == "running"

    await provider.stop(runtime)
    assert runtime_pids(runtime.runtime_id) == []
    assert not (runtimes.runtimes_dir / runtime.runtime_id).exists()
    assert (await provider.status(runtime)).state == "stopped"
    await provider.stop(runtime)  # idempotent


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_status_dead_when_server_dies(runtimes: Runtimes, sandbox: Sandbox) -> None:
    provider = runtimes.provider(sandbox)
    runtime = await runtimes.start(provider)
    assert runtime.pid is not None
    os.killpg(runtime.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while (await provider.status(runtime)).state != "dead":
        assert time.monotonic() < deadline, "status never became dead"
        await asyncio.sleep(0.05)


async def test_reclaim_orphans_of_a_dropped_provider(runtimes: Runtimes) -> None:
    """A killed service leaves runtimes running; the next one reclaims them from its records."""
    old = runtimes.provider("none")
    runtime = await old.start(RuntimeSpec(runtime_id=f"test-{uuid.uuid4()}"))
    kernel = await runtimes.kernel(runtime)
    await run(kernel, "import subprocess; subprocess.Popen(['setsid', 'sleep', '600'])")
    wait_until(lambda: len(runtime_pids(runtime.runtime_id)) >= 3, 10, "the sleep to start")
    # What the service had stored: no token, no provider state.
    record = Runtime(runtime.runtime_id, runtime.url, "", runtime.sandboxed, pid=runtime.pid)

    fresh = runtimes.provider("none")
    await fresh.reclaim_orphans([record])
    assert runtime_pids(runtime.runtime_id) == []
    assert not (runtimes.runtimes_dir / runtime.runtime_id).exists()
    old._procs[runtime.runtime_id].wait(5)  # reap our own child; the old provider is gone


async def test_reclaim_never_signals_a_recycled_pid(runtimes: Runtimes, tmp_path: Path) -> None:
    stranger = subprocess.Popen(["sleep", "600"], start_new_session=True)
    try:
        gone = Runtime("test-gone", "http://127.0.0.1:1", "", False, pid=stranger.pid)
        stray = runtimes.runtimes_dir / "test-stray"  # a folder with no record
        kept = runtimes.runtimes_dir / "test-kept"
        for d in (stray, kept):
            (d / "content").mkdir(parents=True)
        await runtimes.provider("none").reclaim_orphans([gone], keep={"test-kept"})
        assert stranger.poll() is None, "a process that is not a runtime was killed"
        assert not stray.exists()
        assert kept.exists()
    finally:
        stranger.kill()
        stranger.wait()


CHILD = """
import asyncio, sys
from pathlib import Path
from cloudbook.runtimes.jupyter_api import JupyterServerClient
from cloudbook.runtimes.local import LocalProvider
from cloudbook.runtimes.provider import RuntimeSpec

async def main():
    provider = LocalProvider(Path(sys.argv[1]), sandbox=sys.argv[2])
    runtime = await provider.start(RuntimeSpec(runtime_id=sys.argv[3]))
    client = JupyterServerClient(runtime)
    await client.wait_kernel_ready(await client.start_kernel())
    print("ready", flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_sigkilled_service_takes_its_runtimes_along(
    runtimes: Runtimes, sandbox: Sandbox
) -> None:
    runtime_id = f"test-{uuid.uuid4()}"
    service = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(runtimes.runtimes_dir), sandbox, runtime_id],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert service.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(service.stdout.readline), 90)
        assert line == b"ready\n", line
        assert len(runtime_pids(runtime_id)) >= 2  # server and kernel (and bwrap)
        service.kill()
        service.wait()
        # bwrap --die-with-parent / PR_SET_PDEATHSIG; unsandboxed kernels follow their server.
        wait_until(lambda: not runtime_pids(runtime_id), 20, "the runtime's processes to go")
    finally:
        service.kill()
        service.wait()
        if service.stdout is not None:
            service.stdout.close()
        await runtimes.provider("none").reclaim_orphans([])
    assert not (runtimes.runtimes_dir / runtime_id).exists()


def _fake_python(path: Path, script: str) -> str:
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


async def test_start_failure_reports_output_without_token(
    runtimes: Runtimes, tmp_path: Path
) -> None:
    python = _fake_python(
        tmp_path / "python",
        'echo "token is $JUPYTER_TOKEN" >&2\necho "ModuleNotFoundError: boom" >&2\nexit 3\n',
    )
    provider = runtimes.provider("none", python=python)
    with pytest.raises(RuntimeStartError) as info:
        await provider.start(RuntimeSpec(runtime_id="test-broken"))
    message = str(info.value)
    assert "exited with status 3" in message
    assert "ModuleNotFoundError: boom" in message
    # The token never travels in the environment (it comes on the configuration pipe).
    assert "token is \n" in message
    assert not (runtimes.runtimes_dir / "test-broken").exists()


async def test_start_timeout_kills_the_server(runtimes: Runtimes, tmp_path: Path) -> None:
    python = _fake_python(tmp_path / "python", "echo still starting >&2\nexec sleep 600\n")
    provider = runtimes.provider("none", python=python, start_timeout=1)
    with pytest.raises(RuntimeStartError, match=r"did not answer within 1 s(.|\n)*still starting"):
        await provider.start(RuntimeSpec(runtime_id="test-slow"))
    assert runtime_pids("test-slow") == []
    assert not (runtimes.runtimes_dir / "test-slow").exists()


@pytest.mark.skipif(bool(gpu_devices()), reason="this machine has a GPU")
async def test_gpu_runtime_refused_without_gpu(runtimes: Runtimes) -> None:
    with pytest.raises(RuntimeStartError, match="no GPU"):
        await runtimes.start(runtimes.provider("none"), accelerator="gpu")


def test_bwrap_demanded_but_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without bwrap
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        LocalProvider(tmp_path / "runtimes", sandbox="bwrap", start_timeout=5)
    # auto refuses too: only sandbox="none", set on purpose, runs runtimes unboxed
    with pytest.raises(SandboxUnavailable, match="CLOUDBOOK_SANDBOX=none"):
        LocalProvider(tmp_path / "runtimes", sandbox="auto", start_timeout=5)
    assert LocalProvider(tmp_path / "runtimes", sandbox="none", start_timeout=5).bwrap is None


@pytest.mark.parametrize("runtime_id", ["../escape", "", ".", "a/b"])
async def test_runtime_id_must_be_one_path_component(runtimes: Runtimes, runtime_id: str) -> None:
    with pytest.raises(ValueError, match="runtime id"):
        await runtimes.provider("none").start(RuntimeSpec(runtime_id=runtime_id))
    assert not runtimes.runtimes_dir.exists()
