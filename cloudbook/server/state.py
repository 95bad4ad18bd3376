"""Typed application state. Services load in the background so the page answers at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudbook.settings import Settings

if TYPE_CHECKING:
    from cloudbook.github.service import GitHubService
    from cloudbook.images.service import ImageService
    from cloudbook.live.documents import LiveDocuments
    from cloudbook.live.executors import LiveExecutors
    from cloudbook.runtimes.manager import RuntimeManager
    from cloudbook.server.kernel_proxy import KernelProxyHub
    from cloudbook.services.access import AccessService
    from cloudbook.services.admin import AdminService
    from cloudbook.services.audit import AuditLog
    from cloudbook.services.comments import CommentService
    from cloudbook.services.google_credentials import GoogleCredentialService
    from cloudbook.services.keyring import Keyring
    from cloudbook.services.notebooks import NotebookService
    from cloudbook.services.oidc import OidcSignIn
    from cloudbook.services.port_links import PortLinks
    from cloudbook.services.publishing import PublishingService
    from cloudbook.services.quotas import QuotaService
    from cloudbook.services.secrets import SecretService
    from cloudbook.services.shares import ShareService
    from cloudbook.services.users import UserService
    from cloudbook.store.database import Database


@dataclass
class Services:
    db: Database
    users: UserService
    notebooks: NotebookService
    runtimes: RuntimeManager
    kernel_hub: KernelProxyHub
    keyring: Keyring
    secrets: SecretService
    port_links: PortLinks
    github: GitHubService
    images: ImageService
    quotas: QuotaService
    admin: AdminService
    oidc: OidcSignIn | None  # None: no OpenID Connect sign-in configured
    google_credentials: GoogleCredentialService
    access: AccessService
    shares: ShareService
    comments: CommentService
    audit: AuditLog
    # Cells run by the service into live documents (docs/live-execution.md).
    executors: LiveExecutors | None = None
    # Open notebooks' live documents; None when CLOUDBOOK_LIVE_DOCUMENTS is off.
    live: LiveDocuments | None = None
    # Published views and .html/.pdf exports (set by load_services).
    publishing: PublishingService | None = None


@dataclass
class AppState:
    settings: Settings
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    services: Services | None = None
    init_failed: bool = False
    # Printed at start for a first admin without a password (never logged).
    login_link: str | None = None
