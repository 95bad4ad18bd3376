"""Building an image: a venv, the manifest's wheels downloaded into the shared wheelhouse
(per-package progress, bytes, ETA), installed offline from there, then switched in.

A failed build deletes its unfinished version and leaves ``current`` as it was; the
status says why (pip's error lines) and ``build.log`` has all of pip's output.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cloudbook.images.manifest import Manifest
from cloudbook.images.store import Image, ImageStore

COLLECTING = re.compile(r"^Collecting (\S+)")
DOWNLOADING = re.compile(r"^\s*Downloading \S+ \(([\d.]+) (kB|MB|GB|bytes)\)")
ALREADY = re.compile(r"^\s*File was already downloaded (\S+)")
PROCESSING = re.compile(r"^Processing (\S+)")
FOUND = re.compile(r"^Processing \S+ \(from ")  # a download's top-level or dependency
UNITS = {"bytes": 1, "kB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}
ERROR_LINES = 12  # the tail of pip's output a failed build reports

Progress = Callable[[dict[str, Any]], None]


SDIST = (".tar.gz", ".zip")


def has_wheel(sdist: Path) -> bool:
    """Whether the wheelhouse holds a wheel of this source distribution already."""
    stem = sdist.name.removesuffix(".tar.gz").removesuffix(".zip")
    name, _, version = stem.rpartition("-")
    prefix = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"
    return any(p.name.lower().startswith(prefix) for p in sdist.parent.glob("*.whl"))


class BuildFailed(RuntimeError):
    pass


class Build:
    """One build of one manifest; ``run`` blocks (call it from a thread), ``cancel`` stops
    it from another thread."""

    def __init__(
        self,
        manifest: Manifest,
        store: ImageStore,
        progress: Progress | None = None,
        python: str = sys.executable,
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.progress = progress
        self.python = python
        self.total = len(manifest.packages)
        self.status: dict[str, Any] = {
            "name": manifest.name,
            "digest": manifest.digest,
            "state": "building",
            "phase": "venv",
            "done": 0,
            "total": self.total,
            "bytes": 0,
            "eta_s": None,
            "started_at": time.time(),
            "finished_at": None,
            "error": None,
        }
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()
        self._tail: deque[str] = deque(maxlen=200)
        self._phase_started = time.monotonic()

    # --- progress -------------------------------------------------------------

    def _publish(self) -> None:
        self.store.write_status(self.manifest.name, self.status)
        if self.progress is not None:
            self.progress(dict(self.status))

    def _phase(self, phase: str) -> None:
        self.status.update(phase=phase, done=0, eta_s=None)
        self._phase_started = time.monotonic()
        self._publish()

    def _count(self) -> None:
        # The manifest's count until pip collects more (dependencies a short manifest
        # does not name); the install phase counts what the download phase found.
        done = self.status["done"] + 1
        total = max(self.status["total"], done)
        elapsed = time.monotonic() - self._phase_started
        eta = elapsed / done * (total - done)
        self.status.update(done=done, total=total, eta_s=round(eta, 1))

    def _line(self, line: str) -> None:
        if self.status["phase"] == "download" and (COLLECTING.match(line) or FOUND.match(line)):
            self._count()  # from an index, or a local one's file (pip says "Processing")
        elif PROCESSING.match(line) and self.status["phase"] == "install":
            self._count()
        elif m := DOWNLOADING.match(line):
            self.status["bytes"] += int(float(m.group(1)) * UNITS[m.group(2)])
        elif m := ALREADY.match(line):
            with contextlib.suppress(OSError):
                self.status["bytes"] += os.path.getsize(m.group(1))
        else:
            return
        self._publish()

    # --- steps ------------------------------------------------------------------

    def _run(self, command: list[str], log: Any) -> None:
        if self._cancelled.is_set():
            raise BuildFailed("cancelled")
        env = {**os.environ, "PIP_PROGRESS_BAR": "off", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        self._proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # cancel() stops pip and what it started
        )
        with self._proc as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                log.flush()
                self._tail.append(line.rstrip("\n"))
                self._line(line)
        code = proc.returncode
        self._proc = None
        if self._cancelled.is_set():
            raise BuildFailed("cancelled")
        if code != 0:
            raise BuildFailed(self._reason(code))

    def _reason(self, code: int) -> str:
        errors = [line for line in self._tail if line.startswith("ERROR") or "error:" in line]
        lines = errors or list(self._tail)
        return f"pip exited with status {code}: " + "\n".join(lines[-ERROR_LINES:])

    def _wheels(self, wheelhouse: str, log: Any) -> None:
        """Build a wheel of each source distribution the download left (a package with
        no wheel for this Python): the offline install cannot fetch build backends."""
        sdists = [p for p in Path(wheelhouse).iterdir() if p.name.endswith(SDIST) and not
                  has_wheel(p)]  # fmt: skip
        if not sdists:
            return
        collected = self.status["total"]  # what the download found: the install's count
        self.status["total"] = len(sdists)
        self._phase("wheels")
        for sdist in sorted(sdists):
            self._run(
                [self.python, "-m", "pip", "wheel", "--no-deps", "-w", wheelhouse, str(sdist)],
                log,
            )
            self._count()
            self._publish()
        self.status["total"] = collected

    def cancel(self) -> None:
        self._cancelled.set()
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)

    def run(self) -> Image:
        """Build (or find built) the manifest's version; one build per image at a time
        across processes (the service's and `cloudbook image build`)."""
        self.store.folder(self.manifest.name).mkdir(parents=True, exist_ok=True)
        with open(self.store.folder(self.manifest.name) / "build.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildFailed(
                    f"another build of image {self.manifest.name} is running"
                ) from None
            return self._run_locked()

    def _run_locked(self) -> Image:
        name, digest = self.manifest.name, self.manifest.digest
        current = self.store.current(name)
        if current is not None and current.digest == digest:
            self.status.update(state="ready", phase="done", done=self.status["total"])
            self.status["finished_at"] = time.time()
            self._publish()
            return current
        target = self.store.version_dir(name, digest)
        self.store.folder(name).mkdir(parents=True, exist_ok=True)
        self.store.wheelhouse.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)  # an unfinished earlier try
        self._publish()
        try:
            with open(self.store.log_path(name), "w") as log:
                self._run([self.python, "-m", "venv", str(target)], log)
                image_python = str(target / "bin" / "python")
                self._phase("download")
                wheelhouse = str(self.store.wheelhouse)
                # The service's pip (same Python, a current pip) resolves and downloads;
                # the venv's bundled pip may be years older and slower.
                self._run(
                    [self.python, "-m", "pip", "download", "-d", wheelhouse,
                     "-r", str(self.manifest.path)],
                    log,
                )  # fmt: skip
                self._wheels(wheelhouse, log)
                self._phase("install")
                self._run(
                    [image_python, "-m", "pip", "install", "--no-index", "--find-links",
                     wheelhouse, "-r", str(self.manifest.path)],
                    log,
                )  # fmt: skip
            image = self.store.mark_complete(name, digest, self.total)
            self.store.switch(name, digest)
            self.store.prune(name)
        except BaseException as exc:
            shutil.rmtree(target, ignore_errors=True)
            reason = str(exc) if isinstance(exc, BuildFailed) else f"{type(exc).__name__}: {exc}"
            # Cancelled (the service stopping): not a failure, the next start tries again.
            state = "cancelled" if self._cancelled.is_set() else "failed"
            self.status.update(state=state, error=reason, finished_at=time.time())
            self._publish()
            if isinstance(exc, BuildFailed):
                raise
            raise BuildFailed(reason) from exc
        self.status.update(state="ready", phase="done", done=self.status["total"], eta_s=0)
        self.status["finished_at"] = time.time()
        self._publish()
        return image


def build_image(manifest: Manifest, store: ImageStore, progress: Progress | None = None) -> Image:
    return Build(manifest, store, progress).run()


def image_python_ok(python: str | Path) -> bool:
    """Whether an image's interpreter still starts (its base Python may have moved)."""
    try:
        run = subprocess.run([str(python), "-c", "pass"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return run.returncode == 0
