"""Tables. Notebook contents live in the drive; what must survive renames lives here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A disabled account can neither sign in nor use its sessions or API tokens.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # "<issuer> <sub>" of the OpenID Connect account this user signs in with.
    oidc_subject: Mapped[str | None] = mapped_column(String(600), unique=True, nullable=True)
    # Per-user quota overrides; None: the service-wide default (docs/admin.md).
    quota_drive_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    quota_runtimes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quota_gpu_hours: Mapped[float | None] = mapped_column(Float, nullable=True)


class WebSession(Base):
    """A browser login; the cookie holds the secret, the store only its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    xsrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginLink(Base):
    """One-time login links printed on the console."""

    __tablename__ = "login_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notebook(Base):
    __tablename__ = "notebooks"
    __table_args__ = (UniqueConstraint("owner_id", "path"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Path relative to the owner's drive folder, '/'-separated.
    path: Mapped[str] = mapped_column(String(1024))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Last opened in the page ("Recent"); None until then.
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The file's inode at the last write or scan: a file moved outside the service
    # (e.g. `mv` in a runtime) keeps its id when the scan finds the inode elsewhere.
    file_inode: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Set while the notebook is in the Trash; `path` is then "\\<item id>/<inside the item>"
    # (a backslash never starts a valid drive path, so it cannot clash with a live name).
    trash_item_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)


class TrashItem(Base):
    """A notebook or folder moved to the Trash; its files sit in DATA/trash/<owner>/<id>/."""

    __tablename__ = "trash_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "notebook" | "folder"
    # Where it was, relative to the drive folder; restore puts it back there.
    original_path: Mapped[str] = mapped_column(String(1024))
    trashed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("notebook_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    size: Mapped[int] = mapped_column(Integer)
    # zlib-compressed notebook JSON
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # An explicit save (Ctrl+S, "Save and pin revision"): never folded into a later save.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RuntimeRecord(Base):
    """A runtime this service started; lets the next start reclaim orphans."""

    __tablename__ = "runtimes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notebook_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kernel_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    sandboxed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What it is, so any replica can describe (and adopt) it: see docs/cluster.md.
    accelerator: Mapped[str] = mapped_column(String(8), default="none")
    gpu_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shape: Mapped[str] = mapped_column(String(16), default="standard")


class Secret(Base):
    """A user's secret (Colab's userdata): the value only as AES-GCM ciphertext."""

    __tablename__ = "secrets"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    # nonce + ciphertext + tag; see cloudbook.services.keyring
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecretGrant(Base):
    """Colab's "Notebook access" toggle: this notebook may read this secret of its viewer."""

    __tablename__ = "secret_grants"

    secret_id: Mapped[int] = mapped_column(
        ForeignKey("secrets.id", ondelete="CASCADE"), primary_key=True
    )
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GitCredential(Base):
    """A user's token for the git host, as AES-GCM ciphertext (never returned)."""

    __tablename__ = "git_credentials"
    __table_args__ = (UniqueConstraint("user_id", "host"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    host: Mapped[str] = mapped_column(String(255))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RuntimeUsage(Base):
    """One assignment of a runtime to a user, kept after the runtime is gone: GPU hours
    are counted from these rows (``ended_at`` None while it runs)."""

    __tablename__ = "runtime_usage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runtime_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    gpus: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Share(Base):
    """Access to a notebook or a folder of its owner's drive (docs/sharing.md).

    ``user_id`` NULL is "general access": anyone signed in who has the link."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "notebook" | "folder"
    # The notebook's id, or the folder's path in the owner's drive.
    target: Mapped[str] = mapped_column(String(1024), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # "viewer" | "commenter" | "editor"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """A comment on a cell; a thread is its first comment and the replies naming it."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[str] = mapped_column(String(36), index=True)
    cell_id: Mapped[str] = mapped_column(String(64))
    # The selected text the thread is about (None: the whole cell).
    quote: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Replica(Base):
    """A running service replica: how the others reach it, and whether it still lives."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Publication(Base):
    """A notebook published to the web: a snapshot of its content at publish time, served
    read-only to anyone with the unguessable ``token`` (docs/sharing.md, "Publish")."""

    __tablename__ = "publications"

    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), primary_key=True
    )
    # Stays the same across republishes; unpublishing deletes it for good.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer)  # the notebook's revision it shows
    name: Mapped[str] = mapped_column(String(1024))  # the notebook's name then
    content: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed notebook JSON


class AuditEvent(Base):
    """Who did what to access and runtimes (docs/audit.md). Names are copied in so an
    event still reads right after a rename or with the account gone; ``detail`` is a
    small JSON object of non-secret facts (never a password, token or secret value)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    # Who acted (None: the service itself, e.g. the idle reaper, or an unknown name).
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The account the event is about (the person shared with, the account changed).
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    subject_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A notebook id, "folder:<owner>/<path>" or a runtime id.
    target: Mapped[str | None] = mapped_column(String(1100), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
