"""A stand-in for Cognito's hosted UI on loopback (moto does not implement `/oauth2/*`).

It speaks the two documented endpoints the server and the browser use:

* `GET /oauth2/authorize?response_type=code&client_id&redirect_uri&identity_provider&scope&state
  &code_challenge&code_challenge_method=S256` records the request (`HostedUi.authorizations`),
  "signs the climber in at the provider" at once (no page: `identity_provider` skips Cognito's
  own) and redirects to `redirect_uri?code=…&state=…` with a one-time code, or with
  `error=access_denied` when `deny` is set (the climber cancelled at Google).
* `POST /oauth2/token` (form: `grant_type=authorization_code&client_id&redirect_uri&code
  &code_verifier`) answers `{"error": "invalid_grant"}` (400) unless the grant type, client,
  redirect URI and `S256(code_verifier) == code_challenge` all match an unused code; a code is
  spent by its first exchange, good or bad, as Cognito's are.

The tokens it answers are real tokens of the moto pool: the provider's user is created in the
pool (AdminCreateUser, AdminSetUserPassword permanent) and signed in with AdminInitiateAuth, so
the server verifies them against moto's JWKS exactly as it would Cognito's. The pool must not
use email as its username attribute: moto then replaces the email with the username, while
Cognito names federated users `Google_<id>` and keeps their email an attribute.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import aioboto3
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.server.live import serving

REGION = "us-east-1"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    email: str
    provider: str


@dataclass
class HostedUi:
    url: str
    pool_id: str
    client_id: str
    moto_endpoint: str
    callback_urls: list[str]
    authorizations: list[dict[str, str]] = field(default_factory=list)
    """The query of every authorize request, in order."""
    exchanges: list[dict[str, str]] = field(default_factory=list)
    """The form of every token request (code verifiers included), in order."""
    deny: bool = False
    email: str | None = None
    """The provider's climber for the next sign-ins; a new address per sign-in when None."""
    grants: dict[str, Grant] = field(default_factory=dict)

    async def tokens_for(self, provider: str, email: str) -> dict[str, Any]:
        """Real pool tokens of `provider`'s user with `email`, created in the pool on first use
        as Cognito names federated users (`Google_<id>`): a user of its own, whose `sub` is not
        that of a password account with the same email."""
        username = f"{provider}_{hashlib.sha256(email.encode()).hexdigest()[:20]}"
        password = "Pr0vider!" + secrets.token_urlsafe(12)  # every class the policy asks for
        async with aioboto3.Session().client(
            "cognito-idp", region_name=REGION, endpoint_url=self.moto_endpoint
        ) as cognito:
            with suppress(cognito.exceptions.UsernameExistsException):
                await cognito.admin_create_user(
                    UserPoolId=self.pool_id,
                    Username=username,
                    UserAttributes=[
                        {"Name": "email", "Value": email},
                        {"Name": "email_verified", "Value": "true"},
                    ],
                    MessageAction="SUPPRESS",
                )
            await cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
            )
            answer = await cognito.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        result = answer["AuthenticationResult"]
        return {
            "access_token": result["AccessToken"],
            "id_token": result["IdToken"],
            "refresh_token": result["RefreshToken"],
            "expires_in": result["ExpiresIn"],
            "token_type": "Bearer",
        }


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _app(ui: HostedUi) -> Starlette:
    async def authorize(request: Request) -> Response:
        query = dict(request.query_params)
        ui.authorizations.append(query)
        redirect = query.get("redirect_uri", "")
        if (
            query.get("response_type") != "code"
            or query.get("client_id") != ui.client_id
            or redirect not in ui.callback_urls
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
        ):
            return JSONResponse({"error": "invalid_request"}, 400)
        state = query.get("state", "")
        if ui.deny:
            reply = {"error": "access_denied", "error_description": "cancelled", "state": state}
            return RedirectResponse(f"{redirect}?{urlencode(reply)}", 302)
        code = str(uuid.uuid4())
        email = ui.email or f"social-{uuid.uuid4().hex[:8]}@example.com"
        ui.grants[code] = Grant(
            ui.client_id, redirect, query["code_challenge"], email, query["identity_provider"]
        )
        return RedirectResponse(f"{redirect}?{urlencode({'code': code, 'state': state})}", 302)

    async def token(request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        ui.exchanges.append(form)
        grant = ui.grants.pop(form.get("code", ""), None)  # spent by its first use
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != grant.client_id
            or form.get("redirect_uri") != grant.redirect_uri
            or s256(form.get("code_verifier", "")) != grant.challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, 400)
        return JSONResponse(await ui.tokens_for(grant.provider, grant.email))

    return Starlette(
        routes=[
            Route("/oauth2/authorize", authorize, methods=["GET"]),
            Route("/oauth2/token", token, methods=["POST"]),
        ]
    )


@contextmanager
def hosted_ui(
    moto_endpoint: str, pool_id: str, client_id: str, callback_urls: list[str]
) -> Iterator[HostedUi]:
    """The stand-in for the pool `pool_id`'s app client `client_id`, on a free loopback port,
    accepting exactly `callback_urls` as redirect URIs (as the app client's CallbackURLs)."""
    ui = HostedUi("", pool_id, client_id, moto_endpoint, callback_urls)
    config = uvicorn.Config(_app(ui), host="127.0.0.1", port=0, log_level="warning")
    with serving(config) as (_, port):
        ui.url = f"http://127.0.0.1:{port}"
        yield ui
