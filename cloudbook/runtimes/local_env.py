"""What a local runtime's Jupyter server is started with: its command line and environment."""

from __future__ import annotations

import os
from pathlib import Path

from cloudbook.runtimes.layout import (
    DRIVE_INSIDE,
    DRIVE_RO_INSIDE,
    DRIVE_SLOT_INSIDE,
    JUPYTER_RUNTIME_INSIDE,
    PACKAGES_INSIDE,
    PASSTHROUGH,
    SlotKind,
)
from cloudbook.runtimes.local_processes import MARKER
from cloudbook.runtimes.provider import RuntimeSpec
from cloudbook.runtimes.sandbox import SANDBOX_LIB, package_dir

LAUNCHER = "cloudbook.runtime_side"  # python -m LAUNCHER: jupyter_server with our extension only


def server_command(python: str, root: str, socket_path: str | None) -> list[str]:
    """The runtime's Jupyter server: our launcher, listening on a Unix socket when given."""
    listen = (
        [f"--ServerApp.sock={socket_path}"]
        if socket_path
        else ["--ip=127.0.0.1", "--port=0"]  # the port is read back from the info file
    )
    return [
        python,
        "-m",
        LAUNCHER,
        "--no-browser",
        *listen,
        f"--ServerApp.root_dir={root}",
        # Colab has no output rate limit; Jupyter's drops iopub (colab_request too) in
        # bursts: both its message rate (1,000/s, hit by print(flush=True) loops) and
        # its data rate limits are off.
        "--ZMQChannelsWebsocketConnection.limit_rate=False",
        "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1e10",
        "--allow-root",
        "--ServerApp.log_level=WARN",
        # The service is the only client; the browser never reaches the runtime directly.
        "--ServerApp.allow_remote_access=False",
    ]


def inside(host_path: Path, sandboxed: bool) -> str:
    """A path under the cloudbook package as the runtime sees it."""
    if not sandboxed:
        return str(host_path)
    relative = host_path.resolve().relative_to(Path(package_dir()))
    return f"{SANDBOX_LIB}/cloudbook/{relative}"


def runtime_env(
    spec: RuntimeSpec,
    base: Path,
    *,
    sandboxed: bool,
    python: str,
    extra_pythonpath: list[str],
    kernel_env: dict[str, str],
    wheelhouse: Path | None,
    slot: SlotKind | None = None,
) -> dict[str, str]:
    """The environment of a runtime's server and kernels (``base``: its folder on the host)."""
    from cloudbook import colab_runtime

    lib = SANDBOX_LIB if sandboxed else str(Path(package_dir()).parent)
    colab = colab_runtime.runtime_env(
        runtime_id=spec.runtime_id,
        packages_dir=PACKAGES_INSIDE if sandboxed else str(base / "packages"),
        pythonpath=os.pathsep.join([lib, *extra_pythonpath]),
    )
    colab["PYTHONPATH"] = colab["PYTHONPATH"].replace(
        str(colab_runtime.SITE_DIR), inside(colab_runtime.SITE_DIR, sandboxed)
    )
    colab["JUPYTER_PATH"] = inside(colab_runtime.JUPYTER_DATA_DIR, sandboxed)
    env = {
        **colab,
        "PATH": f"{Path(python).parent}:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
        "/usr/bin:/sbin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": "/root" if sandboxed else str(base / "home"),
        "TERM": "xterm-256color",
        "JUPYTER_RUNTIME_DIR": (
            JUPYTER_RUNTIME_INSIDE if sandboxed else str(base / "jupyter-runtime")
        ),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **kernel_env,
    }
    if not sandboxed and spec.accelerator == "none":
        env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU runtime: frameworks see no GPU
    # (a GPU runtime's CUDA_VISIBLE_DEVICES comes in spec.env: only its own device)
    for key in PASSTHROUGH:
        if key in os.environ:
            env[key] = os.environ[key]
    if wheelhouse is not None and wheelhouse.is_dir():
        # pip takes an equal version from a find-links folder before the index's.
        links = env.get("PIP_FIND_LINKS", "").split()
        env["PIP_FIND_LINKS"] = " ".join([*links, str(wheelhouse)])
    if spec.drive_dir:
        if sandboxed:
            env["CLOUDBOOK_DRIVE_PATH"] = DRIVE_INSIDE
            env["CLOUDBOOK_DRIVE_RO_PATH"] = DRIVE_RO_INSIDE
        else:
            env["CLOUDBOOK_DRIVE_PATH"] = spec.drive_dir  # readonly mounts are refused
    elif slot == "mount":
        env["CLOUDBOOK_DRIVE_PATH"] = f"{DRIVE_SLOT_INSIDE}/rw"
        env["CLOUDBOOK_DRIVE_RO_PATH"] = f"{DRIVE_SLOT_INSIDE}/ro"
    elif slot == "link":
        env["CLOUDBOOK_DRIVE_PATH"] = str(base / "drive-slot" / "rw")
    env.update(spec.env)
    env.pop("JUPYTER_TOKEN", None)  # the token travels on the configuration pipe only
    env[MARKER] = spec.runtime_id  # how stop() finds every process of the runtime
    return env
