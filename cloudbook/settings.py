"""The one typed settings object, filled from CLI flags and ``CLOUDBOOK_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from cloudbook.runtimes.limits import RuntimeLimits


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cloudbook"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLOUDBOOK_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # SQLAlchemy async URL; default is a SQLite file in the data dir.
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = True
    # Public base URL used in printed links; defaults to http://host:port.
    public_url: str | None = None

    # Runtimes
    # local: runtimes are processes of this machine; jupyterhub: named servers of a
    # JupyterHub (its KubeSpawner places them on a cluster). See docs/cluster.md.
    runtime_provider: Literal["local", "jupyterhub"] = "local"
    # The Hub's public URL (its proxy) and a service token with the scopes admin:users,
    # admin:servers, access:servers and read:users (and proxy, to reach servers at their
    # own address); runtimes are named servers of one Hub user (jupyterhub_user).
    jupyterhub_url: str | None = None
    jupyterhub_token: SecretStr | None = None
    jupyterhub_user: str = "cloudbook"
    # Reach each server at the address in the Hub's routing table, bypassing its proxy
    # (falls back to the proxy when the token lacks the scope or the address does not answer).
    jupyterhub_direct: bool = True
    # Several replicas on one PostgreSQL store: how the other replicas reach this one
    # (e.g. http://10.0.0.5:8000). Unset: a single instance.
    replica_url: str | None = None
    # Seconds between heartbeats in the store; a replica silent for 3 of them is dead and
    # its runtimes are adopted.
    replica_heartbeat: float = Field(default=5, gt=0)
    # redis://…: replicas register and beat in Redis instead of the store's `replicas`
    # table (runtime records stay in the store).
    redis_url: SecretStr | None = None
    # auto/bwrap: every runtime in a box (docs/security.md); refuses to start without one.
    # none: no box at all, on purpose only (unsafe with several users).
    sandbox: Literal["auto", "bwrap", "none"] = "auto"
    # internet: own network namespace + slirp4netns, private ranges unreachable;
    # none: loopback only; host: the host's network (unsafe: host ports reachable).
    runtime_network: Literal["internet", "none", "host"] = "internet"
    pool_size: int = Field(default=1, ge=0, le=32)
    # Warm runtimes per kind, e.g. "cpu:2,gpu:1"; when unset the pool is cpu:<pool_size>.
    pool: str | None = None
    # Tests and benchmarks only: fake GPUs instead of NVML, e.g. "T4:2" or "T4,L4".
    fake_gpus: str | None = None
    # Where "Connect to a runtime by URL" may go: CIDRs and/or host names, comma-separated
    # (e.g. "127.0.0.0/8,10.0.0.0/8"). Empty: turned off. See docs/runtime-types.md.
    attach_allowed: str = ""
    idle_timeout: float = Field(default=90 * 60, gt=0)
    reap_interval: float = Field(default=30, gt=0)
    runtime_start_timeout: float = Field(default=60, gt=0)
    # Runtime images (docs/runtime-images.md): the image new runtimes use once it is
    # built; whether the service builds it in the background at start; where the
    # manifests are (default: runtime-images/ of this checkout).
    runtime_image: str = Field(default="colab", pattern=r"^[a-z][a-z0-9-]{0,31}$")
    # On: a first `cloudbook serve` serves at once on minimal and builds the colab image
    # in the background (several GB). Tests and benchmarks turn it off explicitly.
    image_autobuild: bool = True
    image_manifests: Path | None = None
    # Where built images live (default <data_dir>/images): several services, or CI
    # runs, can share one build.
    images_path: Path | None = None
    # Messages kept per kernel client while its browser is away (reconnect replay).
    replay_buffer_messages: int = Field(default=2000, ge=0)
    replay_grace_seconds: float = Field(default=120, ge=0)
    # Bytes kept for one kernel client, and for all of one user's clients together.
    replay_buffer_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    replay_user_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # Per-runtime limits (docs/limits.md); unset: Colab-like, scaled to this host.
    # Sizes as 2G, 512M or bytes; memory counts swap too.
    runtime_memory: str | None = None
    runtime_highmem_memory: str | None = None  # runtimes of shape "highmem"
    runtime_cpus: float | None = None
    runtime_pids: int | None = None
    runtime_disk: str | None = None  # /content plus the runtime's writable layers
    # Output caps in the kernel proxy: one message, and everything one cell run prints.
    # 0 turns both off (for measurements; a runaway print then grows without bound).
    output_message_max_bytes: int = Field(default=8 * 1024 * 1024, ge=0)
    output_cell_max_bytes: int = Field(default=32 * 1024 * 1024, ge=0)
    # Cells run by the service (docs/live-execution.md): what the shared document keeps of
    # each stream of a cell; past it, a marked cut and a link to the full-output file.
    live_stream_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)

    # 32 bytes, base64url: encrypts stored secrets and signs port-proxy links. Without it
    # the key is <data_dir>/secret.key, created at first start with mode 0600.
    secret_key: SecretStr | None = None
    # Where BigQuery clients in runtimes send their requests (docs/bigquery.md): a
    # BigQuery-compatible server's base URL, e.g. "http://bq.internal:9050". Unset:
    # Google's own (https://bigquery.googleapis.com).
    bigquery_endpoint: str | None = None
    # Lifetime of a kernel-port proxy URL (google.colab.kernel.proxyPort).
    port_proxy_ttl: float = Field(default=3600, gt=0)

    # Git hosting: Open from GitHub / Save a copy in GitHub (docs/github.md). GitHub by
    # default; GitHub Enterprise, GitLab or Gitea by their base URLs.
    git_base_url: str = "https://github.com"
    git_api_url: str = "https://api.github.com"
    # Which REST API git_api_url speaks (listings, gists): github (also GitHub
    # Enterprise), gitlab (/api/v4) or gitea (/api/v1, also Forgejo).
    git_host_kind: Literal["github", "gitlab", "gitea"] = "github"
    git_binary: str = "git"
    # Plain http to the git host: only for tests against a loopback server.
    git_allow_http: bool = False
    git_timeout: float = Field(default=60, gt=0)

    # Live documents (docs/live.md): the service holds every open notebook as a shared
    # CRDT document that pages edit together, runs its cells and saves the .ipynb from it.
    # On by default; off (`CLOUDBOOK_LIVE_DOCUMENTS=0`): pages save by PUT and run cells
    # over their own kernel socket (the older path).
    live_documents: bool = True
    # Seconds from the first unsaved change in a live document to its save.
    live_save_delay: float = Field(default=2.0, gt=0)
    # Seconds a live document stays loaded after its last page left (saved at once).
    live_linger: float = Field(default=30.0, ge=0)

    # Published views and exports (docs/sharing.md, "Publish"): who may open a published
    # URL (anyone: no sign-in, as Colab/Drive "publish to the web"; signed-in: any user of
    # this service; off: nobody can publish), the Chromium that prints PDFs, its time limit.
    publish: Literal["anyone", "signed-in", "off"] = "anyone"
    chromium: str = "chromium"
    pdf_timeout: float = Field(default=60, gt=0)

    # Limits
    max_body_bytes: int = Field(default=32 * 1024 * 1024, gt=0)
    max_revisions: int = Field(default=200, ge=1)
    session_days: int = Field(default=14, ge=1)
    # Failed logins allowed per account and per client address within the window (429 after).
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window: float = Field(default=300, gt=0)

    # Team sign-in with OpenID Connect (docs/team-auth.md): on when issuer and client id
    # are set. Allowed domains/groups: comma-separated; empty lets every account of the
    # issuer in. The issuer must be https (plain http only on loopback, for tests).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_allowed_domains: str = ""
    oidc_allowed_groups: str = ""
    oidc_groups_claim: str = "groups"
    oidc_display_name: str = "SSO"
    oidc_scopes: str = "openid email profile"

    # Quotas per user (docs/admin.md); unset: unlimited. Admins override them per user.
    quota_drive: str | None = None  # drive size, e.g. 5G
    quota_runtimes: int | None = Field(default=None, ge=0)  # runtimes at once
    quota_gpu_hours: float | None = Field(default=None, ge=0)  # GPU hours in total
    # Audit events older than this many days are deleted (0: keep them forever).
    audit_retention_days: int = Field(default=365, ge=0)

    @field_validator("data_dir", "images_path")
    @classmethod
    def _absolute_path(cls, value: Path | None) -> Path | None:
        # Runtimes' sandboxes and slirp4netns run from other working directories: a
        # relative data dir would name another place there.
        return value.expanduser().absolute() if value is not None else None

    @field_validator("oidc_issuer")
    @classmethod
    def _check_oidc_issuer(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value:
            parts = urlsplit(value)
            loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                raise ValueError("CLOUDBOOK_OIDC_ISSUER must be an https URL")
        return value

    @field_validator("quota_drive")
    @classmethod
    def _check_quota_drive(cls, value: str | None) -> str | None:
        from cloudbook.runtimes.limits import parse_size

        if value:
            parse_size(value)
        return value

    @property
    def quota_drive_bytes(self) -> int | None:
        from cloudbook.runtimes.limits import parse_size

        return parse_size(self.quota_drive) if self.quota_drive else None

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @field_validator("pool")
    @classmethod
    def _check_pool(cls, value: str | None) -> str | None:
        from cloudbook.runtimes.runtime_types import parse_pool

        parse_pool(value, 0)  # a ValueError names the bad part
        return value

    @field_validator("fake_gpus")
    @classmethod
    def _check_fake_gpus(cls, value: str | None) -> str | None:
        from cloudbook.runtimes.gpus import parse_fake_spec

        if value:
            parse_fake_spec(value)
        return value

    @model_validator(mode="after")
    def _check_cluster(self) -> Settings:
        if self.runtime_provider == "jupyterhub" and not (
            self.jupyterhub_url and self.jupyterhub_token
        ):
            raise ValueError(
                "CLOUDBOOK_RUNTIME_PROVIDER=jupyterhub needs CLOUDBOOK_JUPYTERHUB_URL and "
                "CLOUDBOOK_JUPYTERHUB_TOKEN"
            )
        if self.replica_url and not self.replica_url.startswith(("http://", "https://")):
            raise ValueError("CLOUDBOOK_REPLICA_URL must start with http:// or https://")
        if self.redis_url is not None and not self.redis_url.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("CLOUDBOOK_REDIS_URL must start with redis://, rediss:// or unix://")
        return self

    @model_validator(mode="after")
    def _check_runtime_limits(self) -> Settings:
        self.runtime_limits  # noqa: B018 - raises ValueError naming the bad setting
        return self

    @property
    def runtime_limits(self) -> RuntimeLimits:
        from cloudbook.runtimes.limits import resolve_limits

        return resolve_limits(
            self.runtimes_dir,
            memory=self.runtime_memory,
            highmem_memory=self.runtime_highmem_memory,
            cpus=self.runtime_cpus,
            pids=self.runtime_pids,
            disk=self.runtime_disk,
        )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'cloudbook.db'}"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def drive_dir(self) -> Path:
        return self.data_dir / "drive"

    @property
    def images_dir(self) -> Path:
        return self.images_path or self.data_dir / "images"

    @property
    def runtimes_dir(self) -> Path:
        return self.data_dir / "runtimes"


def kernel_env(settings: Settings) -> dict[str, str]:
    """Variables every runtime's kernels get from the service's settings."""
    env: dict[str, str] = {}
    if settings.bigquery_endpoint:
        # google-cloud-bigquery (and so %%bigquery and pandas-gbq) read this one.
        env["BIGQUERY_EMULATOR_HOST"] = settings.bigquery_endpoint.rstrip("/")
    return env
