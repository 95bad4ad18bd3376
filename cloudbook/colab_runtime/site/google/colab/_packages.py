"""The runtime's own package space: where ``%pip`` and ``!pip install`` put packages.

The service's environment is read-only (and must never change), so each
runtime gets a virtual environment of its own, created on first kernel start in
``$CLOUDBOOK_PACKAGES_DIR/venv``, layered over the service's environment:

- its ``site-packages`` holds what the user installs; a ``.pth`` file adds the
  service's site-packages after it, so everything installed there stays importable;
- pip run by its interpreter installs into it, sees the service's packages as
  already installed (no re-download of numpy & co.), and upgrades them by
  installing the new version in front instead of touching the service's copy;
- the kernel puts its ``site-packages`` in front of the service's on ``sys.path``
  and its ``bin`` first on ``PATH``, and makes ``sys.executable`` its interpreter,
  so ``!pip``, ``!python`` and ``!{sys.executable} -m pip`` all use it.

Deleting the runtime deletes the directory, and with it every install.
"""

from __future__ import annotations

import importlib
import os
import shlex
import site
import sys
import sysconfig
import tempfile

_PIP_SCRIPT = '#!/bin/sh\nexec {python} -m pip "$@"\n'
_SERVICE_PTH = "_cloudbook_service.pth"
_ENV: dict[str, str] = {}
_seen_pth: set[str] = {_SERVICE_PTH}  # the kernel has the service's paths already


def packages_root() -> str:
    """``$CLOUDBOOK_PACKAGES_DIR``, or a private temporary directory when unset."""
    root = os.environ.get("CLOUDBOOK_PACKAGES_DIR")
    if not root:
        root = os.path.join(tempfile.gettempdir(), f"cloudbook-packages-{os.getuid()}")
    return root


def _site_packages(env: str) -> str:
    paths = sysconfig.get_paths(scheme="venv", vars={"base": env, "platbase": env})
    return paths["purelib"]


def _service_site_dirs() -> list[str]:
    dirs = [p for p in site.getsitepackages() if os.path.isdir(p)]
    return [p for p in dirs if not p.startswith(_ENV.get("env", "\0"))]


def ensure_env() -> dict[str, str]:
    """Create (once per runtime) the package venv; returns its env / bin / site / python."""
    env = os.path.join(packages_root(), "venv")
    bin_dir = os.path.join(env, "bin")
    python = os.path.join(bin_dir, "python")
    purelib = _site_packages(env)
    marker = os.path.join(purelib, _SERVICE_PTH)
    if not os.path.exists(marker):  # written last: a half-made env is made again
        import venv

        venv.EnvBuilder(symlinks=True, with_pip=False, clear=False).create(env)
        os.makedirs(purelib, exist_ok=True)
        # pip is the service's copy (found through the .pth), run by this interpreter.
        for name in ("pip", "pip3", f"pip{sys.version_info[0]}.{sys.version_info[1]}"):
            script = os.path.join(bin_dir, name)
            with open(script, "w", encoding="utf-8") as f:
                f.write(_PIP_SCRIPT.format(python=shlex.quote(python)))
            os.chmod(script, 0o755)
        lines = "".join(f"import site; site.addsitedir({d!r})\n" for d in _service_site_dirs())
        with open(marker + ".tmp", "w", encoding="utf-8") as f:
            f.write(lines)
        os.replace(marker + ".tmp", marker)
    _ENV.update(env=env, bin=bin_dir, site=purelib, python=python)
    return dict(_ENV)


def _insert_before_service(path: str) -> None:
    if path in sys.path:
        return
    service = set(_service_site_dirs())
    position = next((i for i, p in enumerate(sys.path) if p in service), len(sys.path))
    sys.path.insert(position, path)


def activate() -> dict[str, str]:
    """Make this kernel (and the commands it starts) use the runtime's package space."""
    env = ensure_env()
    _insert_before_service(env["site"])
    _run_new_pth_files(env["site"])
    path = os.environ.get("PATH", "")
    if not path.startswith(env["bin"] + os.pathsep):
        os.environ["PATH"] = env["bin"] + os.pathsep + path
    os.environ["VIRTUAL_ENV"] = env["env"]
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    sys.executable = env["python"]
    return env


def _run_new_pth_files(purelib: str) -> None:
    """Process .pth files that installs added (each once, as interpreter start would)."""
    try:
        names = sorted(n for n in os.listdir(purelib) if n.endswith(".pth"))
    except OSError:
        return
    known = set(sys.path)
    for name in names:
        if name not in _seen_pth:
            _seen_pth.add(name)
            site.addpackage(purelib, name, known)


def refresh() -> None:
    """After an install: new modules are importable at once, new .pth files take effect."""
    importlib.invalidate_caches()
    purelib = _ENV.get("site")
    if purelib:
        _run_new_pth_files(purelib)


def pip_magic(line: str) -> None:
    """``%pip ARGS``: pip of the runtime's package space (never the service's)."""
    from google.colab import _pip_warning, _shell

    python = _ENV.get("python") or activate()["python"]
    before = _pip_warning.installed()
    _shell.run_command(f"{shlex.quote(python)} -m pip {line}")
    refresh()
    if "install" in line.split():
        _pip_warning.warn(_pip_warning.changed_and_imported(before, _pip_warning.installed()))
