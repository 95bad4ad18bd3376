"""A small but real OpenID Connect provider for tests: authlib's authorization server
(authorization code grant + OpenID Connect + PKCE) in a Flask app on loopback, with
discovery, a sign-in form, token and JWKS endpoints, ID tokens signed with RS256.

``misbehave`` makes it lie in the ID tokens it signs (wrong audience, expired, another
nonce, another key, ...) so the tests can check cloudbook refuses each lie.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from markupsafe import escape
from werkzeug.serving import make_server

CLIENT_ID = "cloudbook-test"
CLIENT_SECRET = "s3cret-of-the-test-client"


@dataclass
class Client:
    redirect_uris: set[str]
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return next(iter(self.redirect_uris))

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile", "groups"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    user: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, Code] = {}
        self.client = Client(redirect_uris=set())
        self.misbehave: dict[str, Any] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests = 0
        self.issuer = ""
        self.app = self._make_app()

    def add_user(self, login: str, **claims: Any) -> None:
        """``claims``: what the ID token says of them (email, email_verified, groups, ...)."""
        self.users[login] = {"sub": "sub-" + login, **claims}

    # --- the Flask app ---------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("test-oidc-provider")
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                data = req.payload.data
                provider.codes[code] = Code(
                    code=code,
                    user=req.user,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Any) -> Code | None:
                return provider.codes.get(code)

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)  # a code works once

            def authenticate_user(self, authorization_code: Code) -> str:
                return authorization_code.user

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def generate_user_info(self, user: str, scope: str) -> dict[str, Any]:
                return dict(provider.users[user])

            def encode_id_token(self, token: dict[str, Any], req: Any) -> str:
                return provider.sign_id_token(req.user, req.authorization_code.nonce)

        server = AuthorizationServer(
            app,
            query_client=lambda cid: self.client if cid == self.client.client_id else None,
            save_token=lambda token, req: None,
        )
        server.register_grant(
            CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            if request.method == "GET":
                self.authorize_requests.append(dict(request.args))
                login = self.misbehave.get("auto_login")
                if login is None:
                    return self._login_form()
            else:
                login = request.form["login"]
            if login not in self.users:
                return self._login_form("Unknown user")
            try:
                grant = server.get_consent_grant(end_user=login)
            except OAuth2Error as error:
                return {"error": error.error, "error_description": error.description}, 400
            return server.create_authorization_response(grant=grant, grant_user=login)

        @app.post("/token")
        def issue_token() -> Any:
            self.token_requests += 1
            return server.create_token_response()

        return app

    def _login_form(self, problem: str = "") -> str:
        return (
            "<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
            f"<p>{escape(problem)}</p>"
            f'<form method="post" action="/authorize?{escape(request.query_string.decode())}">'
            '<label>Login <input name="login" id="login"></label>'
            '<button type="submit">Continue</button></form>'
        )

    def sign_id_token(self, user: str, nonce: str | None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            **self.users[user],
        }
        if nonce:
            claims["nonce"] = nonce
        claims.update(self.misbehave.get("claims", {}))
        key = self.other_key if self.misbehave.get("other_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    # --- running it --------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[Provider]:
        server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            thread.join()
