"""Sign-in with OpenID Connect (docs/team-auth.md).

The authorization-code flow with PKCE, state and nonce, through authlib's client. What
the flow must remember between "go to the provider" and "back from it" (state, nonce,
PKCE verifier, where to land) travels in a short-lived cookie encrypted with the
service's key, so any replica can finish a sign-in another one began. The ID token is
checked here: its signature against the issuer's published keys (asymmetric algorithms
only), then iss, aud (and azp), exp and nonce.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cloudbook.services.errors import ServiceError

if TYPE_CHECKING:
    from cloudbook.services.keyring import Keyring
    from cloudbook.settings import Settings

PENDING_TTL = 600  # seconds a user may spend at the provider
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
_PENDING_CONTEXT = b"cloudbook-oidc-pending-v1"


class SignInRefused(ServiceError):
    """The sign-in cannot go on; ``message`` is shown to the person on an error page."""

    status = 400
    code = "oidc_failed"


def _unreachable() -> SignInRefused:
    return SignInRefused(
        "The identity provider cannot be reached. Try again later.",
        code="oidc_unreachable",
        status=502,
    )


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: frozenset[str]
    allowed_groups: frozenset[str]
    groups_claim: str
    scopes: str
    display_name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        if not settings.oidc_enabled:
            return None
        issuer = (settings.oidc_issuer or "").rstrip("/")  # https: checked by Settings
        secret = settings.oidc_client_secret
        return cls(
            issuer=issuer,
            client_id=settings.oidc_client_id or "",
            client_secret=secret.get_secret_value() if secret else "",
            allowed_domains=_split(settings.oidc_allowed_domains, lower=True),
            allowed_groups=_split(settings.oidc_allowed_groups, lower=False),
            groups_claim=settings.oidc_groups_claim,
            scopes=settings.oidc_scopes,
            display_name=settings.oidc_display_name,
        )


def _split(value: str, *, lower: bool) -> frozenset[str]:
    items = (v.strip().lstrip("@") for v in value.split(","))
    return frozenset(i.lower() if lower else i for i in items if i)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in (from a checked ID token)."""

    subject: str  # "<issuer> <sub>": unique across issuers
    email: str | None
    email_verified: bool
    preferred_username: str | None
    groups: frozenset[str]


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    verifier: str
    next_path: str
    expires: float


def safe_next(value: str | None) -> str:
    """Where to land after sign-in: a path on this site only (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


class OidcSignIn:
    def __init__(self, config: OidcConfig, keyring: Keyring) -> None:
        self.config = config
        self.keyring = keyring
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None

    # --- the provider's published configuration ---------------------------------

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.config.issuer + "/.well-known/openid-configuration"
            doc = await self._get_json(url)
            if str(doc.get("issuer", "")).rstrip("/") != self.config.issuer:
                raise SignInRefused(
                    "The identity provider's configuration names another issuer.",
                    code="oidc_misconfigured",
                    status=502,
                )
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(doc.get(key), str):
                    raise SignInRefused(
                        f"The identity provider's configuration lacks {key}.",
                        code="oidc_misconfigured",
                        status=502,
                    )
            self._metadata = doc
        return self._metadata

    async def _get_json(self, url: str) -> dict[str, Any]:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=15) as client:
                response = await client.get(url)
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unreachable() from exc
        if not isinstance(body, dict):
            raise SignInRefused("The identity provider answered nonsense.", status=502)
        return body

    def _client_auth(self, metadata: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """Headers and form fields that authenticate this client at the token endpoint."""
        from urllib.parse import quote

        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        client_id, secret = self.config.client_id, self.config.client_secret
        if "client_secret_basic" in methods or "client_secret_post" not in methods:
            # RFC 6749 2.3.1: both form-encoded before the Basic encoding.
            pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
            basic = base64.b64encode(pair.encode()).decode()
            return {"authorization": "Basic " + basic}, {}
        return {}, {"client_id": client_id, "client_secret": secret}

    # --- the two legs of the flow ---------------------------------------------------

    async def begin(self, next_path: str | None, redirect_uri: str) -> tuple[str, str]:
        """The provider's URL to send the browser to, and the cookie value to set."""
        metadata = await self.metadata()
        pending = Pending(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            next_path=safe_next(next_path),
            expires=time.time() + PENDING_TTL,
        )
        from authlib.common.urls import add_params_to_uri
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        url = add_params_to_uri(
            metadata["authorization_endpoint"],
            [
                ("response_type", "code"),
                ("client_id", self.config.client_id),
                ("redirect_uri", redirect_uri),
                ("scope", self.config.scopes),
                ("state", pending.state),
                ("nonce", pending.nonce),
                ("code_challenge", create_s256_code_challenge(pending.verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return str(url), self._seal(pending)

    async def finish(
        self, cookie: str | None, state: str, code: str, redirect_uri: str
    ) -> tuple[Identity, str]:
        """Check the round trip, trade the code for tokens, check the ID token. Returns
        who signed in and where to land."""
        pending = self._unseal(cookie)
        if pending is None or not hmac.compare_digest(pending.state, state):
            raise SignInRefused(
                "This sign-in link is not the one this browser started, or it expired."
                " Start again.",
                code="oidc_bad_state",
            )
        metadata = await self.metadata()
        token = await self._trade_code(metadata, code, pending.verifier, redirect_uri)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("The identity provider sent no ID token.", code="oidc_no_id_token")
        claims = await self.check_id_token(id_token, pending.nonce)
        return self._identity(claims), pending.next_path

    async def _trade_code(
        self, metadata: dict[str, Any], code: str, verifier: str, redirect_uri: str
    ) -> dict[str, Any]:
        import httpx

        headers, fields = self._client_auth(metadata)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            **fields,
        }
        try:
            async with httpx.AsyncClient(timeout=15) as client:
                response = await client.post(
                    metadata["token_endpoint"],
                    data=form,
                    headers={**headers, "accept": "application/json"},
                )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unreachable() from exc
        if response.status_code != 200 or not isinstance(body, dict):
            raise SignInRefused(
                "The identity provider refused the sign-in code (used twice, or expired)."
                " Start again.",
                code="oidc_code_refused",
            )
        return body

    async def check_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import JoseError

        metadata = await self.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in SIGNING_ALGORITHMS] or ["RS256"]
        try:
            try:
                decoded = jwt.decode(id_token, await self._keys(), algorithms=algorithms)
            except JoseError:
                # The provider may have rotated its keys since they were fetched.
                decoded = jwt.decode(
                    id_token, await self._keys(refresh=True), algorithms=algorithms
                )
            registry = jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise SignInRefused(
                "The identity provider's answer did not pass the checks"
                " (signature, issuer, audience, expiry or nonce).",
                code="oidc_bad_token",
            ) from exc
        claims = dict(decoded.claims)
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != self.config.client_id:
            raise SignInRefused(
                "The ID token was issued to another application.", code="oidc_bad_token"
            )
        return claims

    async def _keys(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        if self._jwks is None or refresh:
            self._jwks = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]
        except Exception as exc:
            raise SignInRefused(
                "The identity provider's keys cannot be read.",
                code="oidc_misconfigured",
                status=502,
            ) from exc

    def _identity(self, claims: dict[str, Any]) -> Identity:
        raw_groups = claims.get(self.config.groups_claim) or []
        if isinstance(raw_groups, str):
            raw_groups = [raw_groups]
        email = claims.get("email")
        username = claims.get("preferred_username")
        return Identity(
            subject=f"{self.config.issuer} {claims['sub']}",
            email=email.strip().lower() if isinstance(email, str) else None,
            email_verified=claims.get("email_verified") is True,
            preferred_username=username if isinstance(username, str) else None,
            groups=frozenset(g for g in raw_groups if isinstance(g, str)),
        )

    def check_allowed(self, identity: Identity) -> None:
        """Allowed domains (a verified e-mail in one of them) and groups (one of them)."""
        domains = self.config.allowed_domains
        if domains:
            domain = (identity.email or "").rpartition("@")[2]
            if not identity.email_verified or domain not in domains:
                raise SignInRefused(
                    "This service admits only accounts with a verified e-mail address at "
                    + ", ".join(sorted(domains))
                    + ".",
                    code="oidc_domain_not_allowed",
                    status=403,
                )
        groups = self.config.allowed_groups
        if groups and not (identity.groups & groups):
            raise SignInRefused(
                "Your account is not in a group allowed to use this service. Ask an"
                " administrator for access.",
                code="oidc_group_not_allowed",
                status=403,
            )

    # --- the sealed cookie ---------------------------------------------------------

    def _seal(self, pending: Pending) -> str:
        blob = self.keyring.encrypt(json.dumps(pending.__dict__).encode(), _PENDING_CONTEXT)
        return base64.urlsafe_b64encode(blob).decode().rstrip("=")

    def _unseal(self, cookie: str | None) -> Pending | None:
        if not cookie:
            return None
        try:
            blob = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
            data = json.loads(self.keyring.decrypt(blob, _PENDING_CONTEXT))
            pending = Pending(**data)
        except Exception:
            return None
        return pending if pending.expires > time.time() else None
