"""Sign-in with OpenID Connect against a real provider on loopback (tests/oidc_provider.py):
the whole flow at the HTTP level, account creation, allowed domains and groups, and
each attack refused with an error page and no session."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from cloudbook.settings import Settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

APP = "http://testserver"


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    p.client.redirect_uris.add(APP + "/auth/oidc/callback")
    p.add_user("alice", email="alice@example.org", email_verified=True, groups=["staff"])
    with p.running():
        yield p


@dataclass
class OidcApp:
    app: Any
    provider: Provider

    def browser(self) -> httpx.AsyncClient:
        """A client that keeps the app's cookies, as a browser would."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=APP)

    async def to_provider(self, browser: httpx.AsyncClient, next_path: str = "/") -> str:
        """Press "Sign in with ...": the provider's authorize URL the app sends us to."""
        r = await browser.get("/auth/oidc/login", params={"next": next_path})
        assert r.status_code == 303, r.text
        assert r.headers["location"].startswith(self.provider.issuer + "/authorize?")
        return r.headers["location"]

    async def at_provider(self, authorize_url: str, login: str) -> str:
        """Sign in at the provider; the callback URL it sends the browser back to."""
        self.provider.misbehave["auto_login"] = login
        async with httpx.AsyncClient() as outside:
            r = await outside.get(authorize_url)
        assert r.status_code == 302, r.text
        return r.headers["location"]

    async def sign_in(
        self, browser: httpx.AsyncClient, login: str = "alice", next_path: str = "/"
    ) -> httpx.Response:
        callback = await self.at_provider(await self.to_provider(browser, next_path), login)
        assert callback.startswith(APP + "/auth/oidc/callback?")
        return await browser.get(callback.removeprefix(APP))


@pytest.fixture
async def oidc(settings: Settings, database_url: str, provider: Provider) -> AsyncIterator[OidcApp]:
    from cloudbook.server.app import create_app

    settings.database_url = database_url
    settings.oidc_issuer = provider.issuer
    settings.oidc_client_id = CLIENT_ID
    settings.oidc_client_secret = SecretStr(CLIENT_SECRET)
    settings.oidc_display_name = "Example SSO"
    app = create_app(settings, wait_ready=True)
    async with app.router.lifespan_context(app):
        yield OidcApp(app=app, provider=provider)


async def _me(browser: httpx.AsyncClient) -> httpx.Response:
    return await browser.get("/api/me")


async def _users(oidc: OidcApp) -> list[str]:
    services = oidc.app.state.cloudbook.services
    async with services.db.session() as s:
        from sqlalchemy import select

        from cloudbook.store.models import User

        return list((await s.execute(select(User.name).order_by(User.name))).scalars())


def _refused(r: httpx.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert "Sign-in failed" in r.text and words in r.text
    assert "cloudbook_session" not in r.headers.get("set-cookie", "")


async def test_login_page_offers_the_provider(oidc: OidcApp) -> None:
    async with oidc.browser() as browser:
        body = (await browser.get("/api/auth/providers")).json()
    assert body == {"oidc": {"display_name": "Example SSO", "login_url": "/auth/oidc/login"}}


async def test_first_sign_in_creates_the_account_and_lands_on_next(oidc: OidcApp) -> None:
    async with oidc.browser() as browser:
        r = await oidc.sign_in(browser, next_path="/notebooks/abc?x=1")
        assert r.status_code == 303 and r.headers["location"] == "/notebooks/abc?x=1"
        me = (await _me(browser)).json()
        assert me["name"] == "alice" and me["is_admin"] is False
    # The request the app sent: code flow with PKCE (S256), state and nonce.
    sent = oidc.provider.authorize_requests[-1]
    assert sent["response_type"] == "code" and sent["code_challenge_method"] == "S256"
    assert sent["state"] and sent["nonce"] and "openid" in sent["scope"].split()
    # A second sign-in finds the same account.
    async with oidc.browser() as browser:
        await oidc.sign_in(browser)
        assert (await _me(browser)).json()["id"] == me["id"]
    assert await _users(oidc) == ["admin", "alice"]


async def test_a_taken_name_gets_a_number(oidc: OidcApp) -> None:
    services = oidc.app.state.cloudbook.services
    await services.users.create("alice", "local password")  # a local account, not hers
    async with oidc.browser() as browser:
        await oidc.sign_in(browser)
        assert (await _me(browser)).json()["name"] == "alice-2"
    oidc.provider.add_user("bob", preferred_username="Bob Smith!", email="b@example.org")
    async with oidc.browser() as browser:
        await oidc.sign_in(browser, login="bob")
        assert (await _me(browser)).json()["name"] == "bob-smith"


async def test_allowed_domains_and_groups(oidc: OidcApp) -> None:
    cfg = oidc.app.state.cloudbook.services.oidc
    from dataclasses import replace

    cfg.config = replace(cfg.config, allowed_domains=frozenset({"example.org"}))
    oidc.provider.add_user("mallory", email="mallory@evil.test", email_verified=True)
    oidc.provider.add_user("eve", email="eve@example.org", email_verified=False)
    async with oidc.browser() as browser:
        _refused(await oidc.sign_in(browser, login="mallory"), 403, "example.org")
        # An address the provider did not verify does not count (anyone can claim one).
        _refused(await oidc.sign_in(browser, login="eve"), 403, "verified e-mail")
        assert (await _me(browser)).status_code == 401
    cfg.config = replace(cfg.config, allowed_groups=frozenset({"data-team"}))
    async with oidc.browser() as browser:
        _refused(await oidc.sign_in(browser, login="alice"), 403, "not in a group")
    oidc.provider.add_user(
        "carol", email="carol@example.org", email_verified=True, groups=["data-team"]
    )
    async with oidc.browser() as browser:
        assert (await oidc.sign_in(browser, login="carol")).status_code == 303
        assert (await _me(browser)).json()["name"] == "carol"
    assert await _users(oidc) == ["admin", "carol"]


async def test_wrong_state_is_refused(oidc: OidcApp) -> None:
    async with oidc.browser() as browser:
        callback = await oidc.at_provider(await oidc.to_provider(browser), "alice")
        forged = callback.replace("state=", "state=x", 1)
        _refused(await browser.get(forged.removeprefix(APP)), 400, "Start again")
    # Another browser (no pending cookie) cannot finish a sign-in this one started.
    async with oidc.browser() as browser, oidc.browser() as victim:
        callback = await oidc.at_provider(await oidc.to_provider(browser), "alice")
        _refused(await victim.get(callback.removeprefix(APP)), 400, "Start again")
    assert await _users(oidc) == ["admin"]


async def test_replayed_code_is_refused(oidc: OidcApp) -> None:
    async with oidc.browser() as browser:
        authorize = await oidc.to_provider(browser)
        cookie = browser.cookies.get("cloudbook_oidc")
        callback = await oidc.at_provider(authorize, "alice")
        assert (await browser.get(callback.removeprefix(APP))).status_code == 303
    async with oidc.browser() as attacker:
        sent = {"cookie": f"cloudbook_oidc={cookie}"}
        r = await attacker.get(callback.removeprefix(APP), headers=sent)
        _refused(r, 400, "used twice")
        assert (await _me(attacker)).status_code == 401


@pytest.mark.parametrize(
    ("lie", "why"),
    [
        ({"claims": {"aud": "another-app"}}, "audience"),
        ({"claims": {"iss": "http://127.0.0.1:1"}}, "issuer"),
        ({"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}}, "expired"),
        ({"claims": {"nonce": "not-the-one-sent"}}, "nonce"),
        ({"other_key": True}, "signed by another key"),
    ],
)
async def test_a_lying_id_token_is_refused(oidc: OidcApp, lie: dict[str, Any], why: str) -> None:
    oidc.provider.misbehave.update(lie)
    async with oidc.browser() as browser:
        _refused(await oidc.sign_in(browser), 400, "did not pass the checks")
        assert (await _me(browser)).status_code == 401, why
    assert await _users(oidc) == ["admin"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
async def test_next_cannot_leave_the_site(oidc: OidcApp, target: str) -> None:
    async with oidc.browser() as browser:
        r = await oidc.sign_in(browser, next_path=target)
        assert r.status_code == 303 and r.headers["location"] == "/"


async def test_a_disabled_account_cannot_sign_in(oidc: OidcApp) -> None:
    async with oidc.browser() as browser:
        await oidc.sign_in(browser)
        me = (await _me(browser)).json()
    admin = (await oidc.app.state.cloudbook.services.users.first_admin())[0]
    await oidc.app.state.cloudbook.services.admin.update(admin, me["id"], disabled=True)
    async with oidc.browser() as browser:
        _refused(await oidc.sign_in(browser), 403, "disabled")
    # Both are in the audit log; the refusal names the account, never the code or tokens.
    audit = oidc.app.state.cloudbook.services.audit
    events = (await audit.events(user="alice", kind="signin")).events
    assert [(e.kind, e.detail.get("method"), e.detail.get("reason")) for e in events] == [
        ("signin.failed", "oidc", "account_disabled"),
        ("signin.oidc", None, None),
    ]
    sent = oidc.provider.authorize_requests[-1]
    assert all(sent["state"] not in repr(e) and sent["nonce"] not in repr(e) for e in events)


async def test_provider_refusal_and_missing_setup(oidc: OidcApp, settings: Settings) -> None:
    async with oidc.browser() as browser:
        await oidc.to_provider(browser)
        r = await browser.get("/auth/oidc/callback", params={"error": "access_denied"})
        _refused(r, 400, "access_denied")
        # What comes back in the URL is shown as text, never as markup.
        attack = '"><img src=x onerror=alert(1)>'
        r = await browser.get("/auth/oidc/callback", params={"error": attack})
        _refused(r, 400, "&lt;img src=x onerror=alert(1)&gt;")
        assert "<img" not in r.text


async def test_without_settings_there_is_no_button(harness: Any) -> None:
    async with harness.anonymous() as http:
        assert (await http.get("/api/auth/providers")).json() == {"oidc": None}
        r = await http.get("/auth/oidc/login")
        assert r.status_code == 404 and "not set up" in r.text


def test_issuer_must_be_https() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="https"):
        Settings(oidc_issuer="http://idp.example.com", oidc_client_id="x")
    assert Settings(oidc_issuer="https://idp.example.com", oidc_client_id="x").oidc_enabled
