"""The one typed settings object, filled from CLI flags and ``CLOUDBOOK_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    runtime_provider: Literal["local"] = "local"
    # auto/bwrap: every runtime in a box (docs/security.md); refuses to start without one.
    # none: no box at all, on purpose only (unsafe with several users).
    sandbox: Literal["auto", "bwrap", "none"] = "auto"
    # internet: own network namespace + slirp4netns, private ranges unreachable;
    # none: loopback only; host: the host's network (unsafe: host ports reachable).
    runtime_network: Literal["internet", "none", "host"] = "internet"
    pool_size: int = Field(default=1, ge=0, le=32)
    idle_timeout: float = Field(default=90 * 60, gt=0)
    reap_interval: float = Field(default=30, gt=0)
    runtime_start_timeout: float = Field(default=60, gt=0)
    # Messages kept per kernel client while its browser is away (reconnect replay).
    replay_buffer_messages: int = Field(default=2000, ge=0)
    replay_grace_seconds: float = Field(default=120, ge=0)

    # 32 bytes, base64url: encrypts stored secrets and signs port-proxy links. Without it
    # the key is <data_dir>/secret.key, created at first start with mode 0600.
    secret_key: SecretStr | None = None
    # Lifetime of a kernel-port proxy URL (google.colab.kernel.proxyPort).
    port_proxy_ttl: float = Field(default=3600, gt=0)

    # Limits
    max_body_bytes: int = Field(default=32 * 1024 * 1024, gt=0)
    max_revisions: int = Field(default=200, ge=1)
    session_days: int = Field(default=14, ge=1)

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
    def runtimes_dir(self) -> Path:
        return self.data_dir / "runtimes"
