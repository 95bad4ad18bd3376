"""The `local` provider: one `jupyter server` subprocess per runtime, in bubblewrap when present."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Literal

import httpx

from cloudbook.colab_runtime import install_sample_data
from cloudbook.runtimes.provider import Runtime, RuntimeSpec, RuntimeStatus
from cloudbook.runtimes.sandbox import SANDBOX_LIB, bwrap_command, bwrap_path, package_dir

MARKER = "CLOUDBOOK_RUNTIME_ID"
EXTENSION = "cloudbook.runtime_side"
PR_SET_PDEATHSIG = 1
# The runtime's own package space (pip installs land here; deleted with the runtime).
PACKAGES_INSIDE = "/opt/cloudbook/packages"


class RuntimeStartError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Without bwrap's --die-with-parent: a SIGKILLed service takes its runtimes along.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _installed_server_extensions() -> list[str]:
    """Extensions enabled through config.d files; a runtime turns them all off but ours."""
    names: set[str] = set()
    for prefix in {sys.prefix, sys.base_prefix}:
        folder = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d"
        for f in folder.glob("*.json"):
            with contextlib.suppress(OSError, ValueError):
                exts = json.loads(f.read_text())["ServerApp"]["jpserver_extensions"]
                names.update(exts)
    names.discard(EXTENSION)
    return sorted(names)


def _carries_marker(pid: int, runtime_id: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{MARKER}={runtime_id}".encode() in environ.split(b"\0")


def _pids_with_marker(runtime_id: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _carries_marker(int(entry.name), runtime_id):
            pids.append(int(entry.name))
    return pids


class LocalProvider:
    name = "local"

    def __init__(
        self,
        runtimes_dir: Path,
        sandbox: Literal["auto", "bwrap", "none"] = "auto",
        start_timeout: float = 60,
        python: str = sys.executable,
        extra_pythonpath: list[str] | None = None,
    ) -> None:
        self.runtimes_dir = runtimes_dir
        self.start_timeout = start_timeout
        self.python = python
        self.extra_pythonpath = extra_pythonpath or []
        bwrap = bwrap_path()
        if sandbox == "bwrap" and bwrap is None:
            raise RuntimeStartError("sandbox=bwrap was asked for but bubblewrap is not installed")
        self.bwrap = bwrap if sandbox != "none" else None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._disabled_extensions = _installed_server_extensions()

    def _command(self, port: int, root: str) -> list[str]:
        flag = "--ServerApp.jpserver_extensions"
        extensions = [f"{flag}={n}=False" for n in self._disabled_extensions]
        extensions.append(f"{flag}={EXTENSION}=True")
        return [
            self.python,
            "-m",
            "jupyter_server",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            *extensions,
            "--ServerApp.terminals_enabled=False",
            # Colab has no output rate limit; Jupyter's drops iopub (colab_request too) in bursts.
            "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1e10",
            "--allow-root",
            "--ServerApp.log_level=WARN",
            # The service is the only client; the browser never reaches the runtime directly.
            "--ServerApp.allow_remote_access=False",
        ]

    def _inside(self, host_path: Path) -> str:
        """A path under the cloudbook package as the runtime sees it."""
        if not self.bwrap:
            return str(host_path)
        relative = host_path.resolve().relative_to(Path(package_dir()))
        return f"{SANDBOX_LIB}/cloudbook/{relative}"

    def _env(self, spec: RuntimeSpec, token: str, content: str) -> dict[str, str]:
        from cloudbook import colab_runtime

        lib = SANDBOX_LIB if self.bwrap else str(Path(package_dir()).parent)
        packages = PACKAGES_INSIDE if self.bwrap else str(Path(content).parent / "packages")
        colab = colab_runtime.runtime_env(
            runtime_id=spec.runtime_id,
            packages_dir=packages,
            pythonpath=os.pathsep.join([lib, *self.extra_pythonpath]),
        )
        colab["PYTHONPATH"] = colab["PYTHONPATH"].replace(
            str(colab_runtime.SITE_DIR), self._inside(colab_runtime.SITE_DIR)
        )
        colab["JUPYTER_PATH"] = self._inside(colab_runtime.JUPYTER_DATA_DIR)
        env = {
            **colab,
            "PATH": f"{Path(self.python).parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "HOME": "/root" if self.bwrap else content,
            "TERM": "xterm-256color",
            "JUPYTER_TOKEN": token,
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            MARKER: spec.runtime_id,
            **spec.env,
        }
        if not self.bwrap:
            # Jupyter's own state files stay inside the runtime's folder.
            env["JUPYTER_RUNTIME_DIR"] = str(Path(content).parent / "jupyter-runtime")
            env["IPYTHONDIR"] = str(Path(content).parent / "ipython")
        for key in (
            "PIP_FIND_LINKS",
            "PIP_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
            "PIP_CERT",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "REQUESTS_CA_BUNDLE",
        ):
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        return env

    async def start(self, spec: RuntimeSpec) -> Runtime:
        base = self.runtimes_dir / spec.runtime_id
        content = base / "content"
        content.mkdir(parents=True, exist_ok=True)
        (base / "packages").mkdir(exist_ok=True)
        await asyncio.to_thread(install_sample_data, content)
        token = secrets.token_urlsafe(32)
        port = _free_port()
        root = "/content" if self.bwrap else str(content)
        command = self._command(port, root)
        if self.bwrap:
            command = bwrap_command(
                self.bwrap, content, command, binds=[(base / "packages", PACKAGES_INSIDE)]
            )
        proc = self._spawn(command, content, self._env(spec, token, str(content)))
        self._procs[spec.runtime_id] = proc
        runtime = Runtime(
            runtime_id=spec.runtime_id,
            url=f"http://127.0.0.1:{port}",
            token=token,
            sandboxed=self.bwrap is not None,
            pid=proc.pid,
            content_dir=str(content),
        )
        try:
            await self._wait_ready(runtime, proc)
        except BaseException:
            await self.stop(runtime)
            raise
        return runtime

    def _spawn(
        self, command: list[str], content: Path, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        with open(content.parent / "server.log", "wb") as log:
            return subprocess.Popen(
                command,
                cwd=content,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=None if self.bwrap else _die_with_parent,
            )

    async def _wait_ready(self, runtime: Runtime, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.start_timeout
        headers = {"Authorization": f"token {runtime.token}"}
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeStartError(
                        f"the runtime's Jupyter server exited ({proc.returncode}): "
                        + self._log_tail(runtime)
                    )
                with contextlib.suppress(httpx.HTTPError):
                    r = await http.get(f"{runtime.url}/api/status", headers=headers)
                    if r.status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise RuntimeStartError("the runtime did not answer in time: " + self._log_tail(runtime))

    def _log_tail(self, runtime: Runtime) -> str:
        try:
            lines = deque(
                (self.runtimes_dir / runtime.runtime_id / "server.log")
                .read_text(errors="replace")
                .splitlines(),
                maxlen=8,
            )
        except OSError:
            return "(no log)"
        return "\n".join(lines).replace(runtime.token, "***")

    async def stop(self, runtime: Runtime) -> None:
        proc = self._procs.pop(runtime.runtime_id, None)
        await asyncio.to_thread(self._kill, runtime, proc)
        shutil.rmtree(self.runtimes_dir / runtime.runtime_id, ignore_errors=True)

    def _kill(self, runtime: Runtime, proc: subprocess.Popen[bytes] | None) -> None:
        pid = proc.pid if proc is not None else runtime.pid
        if pid is not None and (proc is not None or _carries_marker(pid, runtime.runtime_id)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGTERM)
            if proc is not None:
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        # Whatever still carries the marker (a kernel that outlived its server) goes too.
        for _ in range(50):
            left = _pids_with_marker(runtime.runtime_id)
            if not left:
                break
            for p in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.05)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)

    async def status(self, runtime: Runtime) -> RuntimeStatus:
        proc = self._procs.get(runtime.runtime_id)
        sandboxed = runtime.sandboxed
        if proc is None:
            return RuntimeStatus(state="stopped", sandboxed=sandboxed)
        if proc.poll() is not None:
            return RuntimeStatus(state="dead", sandboxed=sandboxed)
        return RuntimeStatus(state="running", sandboxed=sandboxed)

    async def reclaim_orphans(self, records: list[Runtime]) -> None:
        for record in records:
            await asyncio.to_thread(self._kill, record, None)
            shutil.rmtree(self.runtimes_dir / record.runtime_id, ignore_errors=True)
        # Folders of runtimes nobody remembers (e.g. a crash before the record was written).
        if self.runtimes_dir.exists():
            for folder in self.runtimes_dir.iterdir():
                if folder.name not in self._procs:
                    await asyncio.to_thread(self._kill, Runtime(folder.name, "", "", False), None)
                    shutil.rmtree(folder, ignore_errors=True)
