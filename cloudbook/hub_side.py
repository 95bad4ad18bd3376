"""What a JupyterHub needs to start cloudbook runtimes: imported in ``jupyterhub_config.py``.

This module runs inside the Hub's process, not in the service. The service asks the Hub
for a named server with ``user_options`` (see ``cloudbook.runtimes.jupyterhub``)::

    {"profile": "cpu" | "gpu", "accelerator": "none" | "gpu", "gpu_type": "T4" | null,
     "shape": "standard" | "highmem", "limits": {"memory": bytes, "cpus": float}}

``make_pre_spawn_hook(profiles)`` returns a ``Spawner.pre_spawn_hook`` that refuses options
the Hub cannot serve (an unknown profile, a malformed limit) with a 400 whose message the
service shows to the user, applies the limits to the spawner (``mem_limit``,
``cpu_limit``: KubeSpawner turns them into the pod's resources), and makes the single-user
server a cloudbook runtime: the ``cloudbook.runtime_side`` extension loaded, ``google.colab``
on ``PYTHONPATH``, its kernelspec on ``JUPYTER_PATH``, Jupyter's output rate limits off.
KubeSpawner reads ``user_options["profile"]`` itself to pick the ``profile_list`` entry
(image, GPU resources, node selector); the hook only checks the name first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

OPTION_KEYS = {"profile", "accelerator", "gpu_type", "shape", "limits"}
LIMIT_KEYS = {"memory", "cpus"}


class BadRuntimeOptions(ValueError):
    """The service asked for a runtime this Hub cannot start."""


def check_options(options: Mapping[str, Any], profiles: Mapping[str, Any]) -> dict[str, Any]:
    """The options, checked; raises ``BadRuntimeOptions`` naming what is wrong."""
    unknown = sorted(set(options) - OPTION_KEYS)
    if unknown:
        raise BadRuntimeOptions(f"Unknown runtime option(s): {', '.join(unknown)}.")
    profile = options.get("profile", "cpu")
    if profile not in profiles:
        have = ", ".join(sorted(profiles)) or "none"
        raise BadRuntimeOptions(
            f"This cluster has no {profile!r} runtime profile (it has: {have})."
        )
    if options.get("shape", "standard") not in ("standard", "highmem"):
        raise BadRuntimeOptions("The runtime shape must be 'standard' or 'highmem'.")
    limits = options.get("limits") or {}
    if not isinstance(limits, dict) or set(limits) - LIMIT_KEYS:
        raise BadRuntimeOptions("Runtime limits may only name 'memory' and 'cpus'.")
    memory, cpus = limits.get("memory"), limits.get("cpus")
    if memory is not None and (not isinstance(memory, int) or memory <= 0):
        raise BadRuntimeOptions("The memory limit must be a positive number of bytes.")
    if cpus is not None and (not isinstance(cpus, int | float) or cpus <= 0):
        raise BadRuntimeOptions("The CPU limit must be a positive number.")
    return {**options, "profile": profile, "limits": limits}


def runtime_args() -> list[str]:
    """Arguments for ``jupyterhub-singleuser`` that make it a cloudbook runtime."""
    return [
        "--ServerApp.jpserver_extensions=cloudbook.runtime_side=True",
        "--ZMQChannelsWebsocketConnection.limit_rate=False",
        "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1e10",
        "--FileContentsManager.delete_to_trash=False",
        "--FileContentsManager.always_delete_dir=True",
        # Root inside a container is the norm for runtimes (Colab's own run as root).
        "--allow-root",
    ]


def runtime_environment(server_name: str, site_dir: str, jupyter_path: str) -> dict[str, str]:
    return {
        "PYTHONPATH": os.pathsep.join(p for p in (site_dir, os.environ.get("PYTHONPATH")) if p),
        "JUPYTER_PATH": jupyter_path,
        "CLOUDBOOK_RUNTIME_ID": server_name,
        # google.colab.drive explains why the drive is not here (docs/cluster.md).
        "CLOUDBOOK_RUNTIME_PROVIDER": "jupyterhub",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PLOTLY_RENDERER": "colab",  # as local runtimes (cloudbook.colab_runtime.runtime_env)
    }


def make_pre_spawn_hook(
    profiles: Mapping[str, Any] | None = None,
    content_root: str | None = None,
    *,
    site_dir: str | None = None,
    jupyter_path: str | None = None,
) -> Callable[[Any], None]:
    """A ``Spawner.pre_spawn_hook``. ``profiles`` names what the Hub offers (the
    ``profile_list`` slugs with KubeSpawner); ``content_root``, for spawners that run
    servers on the Hub's machine, is where each runtime's ``/content`` folder is made.
    ``site_dir`` (put on ``PYTHONPATH``) and ``jupyter_path`` (the kernelspec that loads
    ``google.colab``) are paths as the single-user server sees them: by default this
    installation's, which is right when servers run beside the Hub; on Kubernetes give
    the runtime image's (docs/cluster.md)."""
    from tornado import web

    if site_dir is None or jupyter_path is None:
        from cloudbook import colab_runtime

        site_dir = site_dir or str(colab_runtime.SITE_DIR)
        jupyter_path = jupyter_path or str(colab_runtime.JUPYTER_DATA_DIR)
    offered = dict(profiles or {"cpu": {}})

    def hook(spawner: Any) -> None:
        try:
            options = check_options(spawner.user_options or {}, offered)
        except BadRuntimeOptions as exc:
            raise web.HTTPError(400, str(exc)) from None
        spawner.user_options = options
        limits = options["limits"]
        if limits.get("memory"):
            spawner.mem_limit = int(limits["memory"])
        if limits.get("cpus"):
            spawner.cpu_limit = float(limits["cpus"])
        name = spawner.name or "default"
        spawner.environment.update(runtime_environment(name, site_dir, jupyter_path))
        spawner.args = [*spawner.args, *runtime_args()]
        if content_root:
            from cloudbook import colab_runtime

            content = Path(content_root) / name
            content.mkdir(parents=True, exist_ok=True)
            colab_runtime.install_sample_data(content)
            spawner.notebook_dir = str(content)

    return hook
