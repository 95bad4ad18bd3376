"""Shared fixtures: settings on a temporary data dir, SQLite and PostgreSQL stores,
an in-process app with an ASGI client, and logged-in users."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cloudbook.settings import Settings
from tests.jupyter_fixtures import jupyter_server, jupyter_server_process  # noqa: F401

# Apps under test never start a runtime-image build of their own (hundreds of packages,
# several GB from the index; the service's default is on): they run on the service's
# environment, as the minimal image (tests/images build tiny images on purpose). Set,
# not defaulted: a developer's own CLOUDBOOK_IMAGE_AUTOBUILD=1 must not reach the tests.
os.environ["CLOUDBOOK_IMAGE_AUTOBUILD"] = "0"
POSTGRES_URL = os.environ.get("CLOUDBOOK_TEST_POSTGRES_URL")
DB_KINDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def _pg_url(database: str) -> str:
    assert POSTGRES_URL is not None
    base = POSTGRES_URL.replace("postgresql://", "postgresql+asyncpg://", 1)
    return base.rsplit("/", 1)[0] + "/" + database


@pytest.fixture(params=DB_KINDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store' / 'cloudbook.db'}"
        return
    import asyncpg

    assert POSTGRES_URL is not None
    name = f"cb_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield _pg_url(name)
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        pool_size=0,
        open_browser=False,
        sandbox="auto",
    )


@dataclass
class Client:
    http: httpx.AsyncClient
    name: str
    xsrf: str | None = None

    def _headers(self, kw: dict[str, object]) -> dict[str, str]:
        extra = kw.pop("headers", None) or {}
        base = {"X-XSRF-Token": self.xsrf} if self.xsrf else {}
        return {**base, **extra}  # type: ignore[dict-item]

    async def get(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.get(url, **kw)  # type: ignore[arg-type]

    async def post(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.post(url, headers=self._headers(kw), **kw)  # type: ignore[arg-type]

    async def put(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.put(url, headers=self._headers(kw), **kw)  # type: ignore[arg-type]

    async def patch(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.patch(url, headers=self._headers(kw), **kw)  # type: ignore[arg-type]

    async def delete(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.delete(url, headers=self._headers(kw), **kw)  # type: ignore[arg-type]


@dataclass
class AppHarness:
    app: object
    settings: Settings

    async def user(self, name: str, password: str = "correct horse") -> Client:
        """A new user, logged in through the API like a browser."""
        services = self.app.state.cloudbook.services  # type: ignore[attr-defined]
        await services.users.create(name, password)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),  # type: ignore[arg-type]
            base_url="http://testserver",
        )
        r = await http.post("/api/auth/login", json={"name": name, "password": password})
        assert r.status_code == 200, r.text
        return Client(http=http, name=name, xsrf=http.cookies.get("cloudbook_xsrf"))

    def anonymous(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),  # type: ignore[arg-type]
            base_url="http://testserver",
        )


@pytest.fixture
async def harness(settings: Settings, database_url: str) -> AsyncIterator[AppHarness]:
    """A fresh app per test, started (store migrated) and shut down around it."""
    from cloudbook.server.app import create_app

    settings.database_url = database_url
    app = create_app(settings, wait_ready=True)
    async with app.router.lifespan_context(app):
        assert app.state.cloudbook.services is not None, "app failed to start"
        yield AppHarness(app=app, settings=settings)


@pytest.fixture
def drive_files(settings: Settings) -> Iterator[callable]:  # type: ignore[valid-type]
    def snapshot() -> dict[str, bytes]:
        root = settings.drive_dir
        if not root.exists():
            return {}
        return {
            str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }

    yield snapshot


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`colab_image` tests need the built colab image (hundreds of packages, built at
    most once per machine: `cloudbook image build colab --data-dir ...` or
    CLOUDBOOK_TEST_IMAGES); without it they are deselected, not failed."""
    marked = [item for item in items if item.get_closest_marker("colab_image")]
    if not marked:
        return
    from tests.images.colab_image import colab_image_built

    if colab_image_built():
        return
    config.hook.pytest_deselected(items=marked)
    items[:] = [item for item in items if not item.get_closest_marker("colab_image")]
