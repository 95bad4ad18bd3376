"""Which runtime provider and manager a service runs with (docs/cluster.md)."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from cloudbook.images.service import ImageService
    from cloudbook.runtimes.manager import RuntimeManager
    from cloudbook.runtimes.provider import RuntimeProvider
    from cloudbook.settings import Settings
    from cloudbook.store.database import Database


def make_provider(settings: Settings, images: ImageService | None = None) -> RuntimeProvider:
    """The runtime provider the settings name; local runtimes run the active image's Python."""
    if settings.runtime_provider == "jupyterhub":
        from cloudbook.runtimes.jupyterhub import JupyterHubProvider

        assert settings.jupyterhub_url and settings.jupyterhub_token  # checked by Settings
        # Only limits the operator set travel to the cluster: this host's defaults mean
        # nothing for a pod.
        limited = settings.runtime_memory or settings.runtime_cpus
        return JupyterHubProvider(
            settings.jupyterhub_url,
            settings.jupyterhub_token.get_secret_value(),
            user=settings.jupyterhub_user,
            start_timeout=max(settings.runtime_start_timeout, 300),
            limits=settings.runtime_limits if limited else None,
            direct=settings.jupyterhub_direct,
        )
    from cloudbook.runtimes.local import LocalProvider
    from cloudbook.settings import kernel_env

    return LocalProvider(
        runtimes_dir=settings.runtimes_dir,
        sandbox=settings.sandbox,
        start_timeout=settings.runtime_start_timeout,
        network_mode=settings.runtime_network,
        limits=settings.runtime_limits,
        kernel_env=kernel_env(settings),
        python=images.python if images is not None else sys.executable,
        wheelhouse=images.store.wheelhouse if images is not None else None,
    )


def make_manager(settings: Settings, db: Database) -> Callable[..., RuntimeManager]:
    """The manager class: one that sees the other replicas when CLOUDBOOK_REPLICA_URL is set."""
    from cloudbook.runtimes.manager import RuntimeManager

    if not settings.replica_url:
        return RuntimeManager
    from cloudbook.runtimes.replicas import ReplicaDirectory, replica_id_for
    from cloudbook.runtimes.replicated import ReplicatedRuntimeManager
    from cloudbook.server.app import instance_id_of

    replica_id = replica_id_for(instance_id_of(settings), settings.replica_url)
    directory: ReplicaDirectory
    if settings.redis_url is not None:
        from cloudbook.runtimes.replicas_redis import RedisReplicaDirectory

        directory = RedisReplicaDirectory(
            db,
            replica_id,
            settings.replica_url,
            redis_url=settings.redis_url.get_secret_value(),
            heartbeat_interval=settings.replica_heartbeat,
        )
    else:
        directory = ReplicaDirectory(
            db, replica_id, settings.replica_url, heartbeat_interval=settings.replica_heartbeat
        )
    factory: Callable[..., Any] = functools.partial(ReplicatedRuntimeManager, replicas=directory)
    return factory
