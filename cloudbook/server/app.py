"""The application factory.

Start-up is split in two: the app answers HTTP at once (the page is static),
while the store, migrations and runtimes load in a background task; API routes
wait for that task. This keeps SQLAlchemy, Alembic and jupyter imports off the
path to the first usable page.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from cloudbook import __version__
from cloudbook.live.spill import forget_notebooks
from cloudbook.server import log_redaction
from cloudbook.server.errors import install_error_handlers
from cloudbook.server.frontend import mount_static
from cloudbook.server.frontend import router as frontend_router
from cloudbook.server.limits import BodyLimitMiddleware
from cloudbook.server.openapi import install_openapi
from cloudbook.server.routes import (
    admin,
    auth,
    comments,
    drive,
    github,
    google_credentials,
    health,
    live,
    live_exec,
    notebooks,
    oidc,
    ports,
    publish,
    runtime_files,
    runtime_types,
    runtimes,
    sharing,
)
from cloudbook.server.routes import images as images_routes
from cloudbook.server.routes import secrets as secrets_routes
from cloudbook.server.security_headers import SecurityHeadersMiddleware
from cloudbook.server.state import AppState, Services
from cloudbook.settings import Settings

if TYPE_CHECKING:
    from cloudbook.images.service import ImageService
    from cloudbook.images.store import Image

log = logging.getLogger("cloudbook.server")


def instance_id_of(settings: Settings) -> str:
    """A stable id for this data dir, so a restart reclaims only its own runtimes."""
    path = settings.data_dir / "instance_id"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = secrets.token_hex(8)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value)
        return value


def prepare_data_dir(settings: Settings) -> None:
    """The data dir is 0700 (it holds the store, the key and every drive); saves a killed
    process left half-written in drives are removed."""
    from cloudbook.drive.safe_fs import sweep_temp_files

    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a data dir owned by someone else
        settings.data_dir.chmod(0o700)
    removed = sweep_temp_files(settings.drive_dir)
    if removed:
        log.info("removed %d unfinished save(s) from drives", removed)


async def load_services(settings: Settings) -> Services:
    from cloudbook.github.service import GitHubService
    from cloudbook.runtimes.gpu_allocator import GpuAllocator
    from cloudbook.runtimes.gpus import discover
    from cloudbook.runtimes.replicas import replica_id_for
    from cloudbook.runtimes.runtime_types import parse_pool
    from cloudbook.server.cluster import make_manager, make_provider
    from cloudbook.server.kernel_proxy import KernelProxyHub
    from cloudbook.services.admin import AdminService
    from cloudbook.services.audit import AuditLog
    from cloudbook.services.comments import CommentService
    from cloudbook.services.google_credentials import GoogleCredentialService
    from cloudbook.services.keyring import Keyring, load_master_key
    from cloudbook.services.login_throttle import LoginThrottle
    from cloudbook.services.notebooks import NotebookService
    from cloudbook.services.oidc import OidcConfig, OidcSignIn
    from cloudbook.services.port_links import PortLinks
    from cloudbook.services.publishing import PublishingService
    from cloudbook.services.quotas import Quotas, QuotaService
    from cloudbook.services.secrets import SecretService
    from cloudbook.services.shares import ShareService
    from cloudbook.services.users import UserService
    from cloudbook.store.database import Database

    await asyncio.to_thread(prepare_data_dir, settings)
    db = Database(settings.resolved_database_url)
    await db.upgrade()
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    keyring = Keyring(load_master_key(settings.data_dir, configured))
    hub = KernelProxyHub(
        buffer_messages=settings.replay_buffer_messages,
        grace_seconds=settings.replay_grace_seconds,
        buffer_bytes=settings.replay_buffer_bytes,
        user_buffer_bytes=settings.replay_user_bytes,
        output_message_bytes=settings.output_message_max_bytes or None,
        output_cell_bytes=settings.output_cell_max_bytes or None,
    )
    images = image_service(settings)
    provider = make_provider(settings, images)
    gpus = await asyncio.to_thread(discover, settings.fake_gpus, settings.data_dir)
    manager = make_manager(settings, db)(
        provider,
        db,
        hub,
        instance_id=replica_id_for(instance_id_of(settings), settings.replica_url),
        pool_size=settings.pool_size,
        idle_timeout=settings.idle_timeout,
        reap_interval=settings.reap_interval,
        drive_root=settings.drive_dir,
        pools=parse_pool(settings.pool, settings.pool_size),
        gpus=GpuAllocator(gpus),
        fake_nvml=bool(settings.fake_gpus),
    )
    audit = AuditLog(db, settings.audit_retention_days)
    manager.audit = audit
    notebooks = NotebookService(db, settings.drive_dir, settings.max_revisions)
    users = UserService(
        db,
        settings.session_days,
        LoginThrottle(
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            window=settings.login_failure_window,
        ),
        audit,
    )
    quotas = QuotaService(
        db,
        settings.drive_dir,
        Quotas(settings.quota_drive_bytes, settings.quota_runtimes, settings.quota_gpu_hours),
    )
    notebooks.drive_quota = quotas.check_drive
    notebooks.trash.on_purged = functools.partial(
        forget_notebooks, settings.data_dir / "live_outputs"
    )
    manager.admission = quotas.admit_runtime
    manager.owners_to_stop = quotas.disabled_among
    manager.owners_over_gpu_quota = quotas.over_gpu_quota
    oidc_config = OidcConfig.from_settings(settings)
    live = None
    if settings.live_documents:
        from cloudbook.live.documents import LiveDocuments

        live = LiveDocuments(
            notebooks, save_delay=settings.live_save_delay, linger=settings.live_linger
        )
    executors = _live_executors(settings, live, hub)
    return Services(
        db=db,
        users=users,
        notebooks=notebooks,
        runtimes=manager,
        kernel_hub=hub,
        keyring=keyring,
        secrets=SecretService(db, keyring),
        port_links=PortLinks(keyring, settings.port_proxy_ttl),
        github=GitHubService(settings, db, keyring, notebooks),
        images=images,
        quotas=quotas,
        admin=AdminService(users, quotas, manager, audit, notebooks.access),
        oidc=OidcSignIn(oidc_config, keyring) if oidc_config is not None else None,
        google_credentials=GoogleCredentialService(db, keyring),
        access=notebooks.access,
        shares=ShareService(db, notebooks.access, audit),
        comments=CommentService(db, notebooks.access),
        audit=audit,
        live=live,
        executors=executors,
        publishing=PublishingService(notebooks, settings),
    )


def _live_executors(settings: Settings, live: Any, hub: Any) -> Any:
    """Cells run by the service: only where notebooks are live documents."""
    if live is None:
        return None
    from cloudbook.live.executors import LiveExecutors

    return LiveExecutors(
        live,
        hub,
        settings.data_dir / "live_outputs",
        stream_max_bytes=settings.live_stream_max_bytes,
    )


def image_service(settings: Settings) -> ImageService:
    from cloudbook.images.service import ImageService
    from cloudbook.images.store import ImageStore

    return ImageService(
        ImageStore(settings.images_dir),
        settings.runtime_image,
        settings.image_manifests,
        autobuild=settings.image_autobuild,
    )


def _follow_images(services: Services) -> None:
    """New runtimes start from the image the service switched to; the warm pool is
    started again from it."""

    from cloudbook.runtimes.local import LocalProvider

    async def switched(image: Image) -> None:
        provider = services.runtimes.provider
        if isinstance(provider, LocalProvider):
            provider.python = image.python
        await services.runtimes.renew_pool()

    services.images.on_switch(switched)
    services.images.start()


async def _first_admin_link(state: AppState, services: Services) -> None:
    """Create the first admin at first start; while it has no password, offer a login link."""
    if await services.users.count() == 0:
        await services.users.create("admin", None, is_admin=True)
    found = await services.users.first_admin()
    if found is not None and not found[1]:
        token = await services.users.create_login_link(found[0])
        state.login_link = f"{state.settings.base_url}/login?token={token}"


async def _initialise(state: AppState) -> None:
    try:
        services = await load_services(state.settings)
        await _first_admin_link(state, services)
        await services.runtimes.start()
        _follow_images(services)
        state.services = services
    except Exception:
        log.exception("cloudbook failed to start")
        state.init_failed = True
    finally:
        state.ready.set()
    if not state.init_failed:
        await asyncio.to_thread(warm_imports)


def warm_imports() -> None:
    """Pay at start what the first notebook would pay (~1 s here): nbformat and its schema
    validator, the WebSocket client of the kernel proxy, the runtime clients."""
    import importlib

    from cloudbook.services.nbcontent import empty_notebook, normalize

    normalize(empty_notebook())
    for name in (
        "websockets.asyncio.client",
        "cloudbook.runtimes.connect",
        "cloudbook.runtimes.jupyter_api",
        "cloudbook.server.kernel_proxy.session",
        "cloudbook.server.port_proxy",
    ):
        importlib.import_module(name)


def create_app(settings: Settings | None = None, *, wait_ready: bool = False) -> FastAPI:
    """Build the app. ``wait_ready`` makes start-up finish loading first (tests)."""
    settings = settings or Settings()
    log_redaction.install()
    state = AppState(settings=settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        init = asyncio.create_task(_initialise(state))
        if wait_ready:
            await init
        try:
            yield
        finally:
            init.cancel()
            with contextlib.suppress(BaseException):
                await init
            if state.services is not None:
                from cloudbook.runtimes.jupyter_api import close_shared_client
                from cloudbook.server.routes.notebooks import settle_prefetches

                await settle_prefetches()
                if state.services.executors is not None:
                    # First the executors (their last outputs land in the documents),
                    # then the documents (saved).
                    await state.services.executors.close_all()
                if state.services.live is not None:
                    await state.services.live.close_all()
                await state.services.images.shutdown()
                await state.services.kernel_hub.close_all()
                await state.services.runtimes.shutdown()
                await close_shared_client()
                from cloudbook.server.replica_rest import close_client

                await close_client()
                await state.services.db.dispose()

    app = FastAPI(
        title="cloudbook",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.cloudbook = state
    if settings.replica_url:
        from cloudbook.server.replica_rest import ReplicaRestForwarder

        app.add_middleware(ReplicaRestForwarder)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    for module in (
        health,
        sharing,
        comments,
        auth,
        oidc,
        admin,
        github,
        notebooks,
        live,
        live_exec,
        drive,
        runtimes,
        runtime_types,
        runtime_files,
        images_routes,
        ports,
        secrets_routes,
        google_credentials,
        publish,
    ):
        app.include_router(module.router)
    app.include_router(frontend_router)
    app.include_router(github.pages)
    mount_static(app)
    install_openapi(app)
    return app


def app_state_of(app: Any) -> AppState:
    state: AppState = app.state.cloudbook
    return state
