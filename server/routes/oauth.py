"""`/auth/oauth*`: Google and Apple sign-in through Cognito's hosted UI (the protocol and why it
is safe: `server.auth.oauth`).

* `GET /auth/oauth` lists the providers offered (`{"providers": […]}`, empty when off), so the
  page knows which buttons to draw.
* `GET /auth/oauth/{provider}` starts a flow: 302 to the hosted UI, with the state in an
  HttpOnly cookie scoped to `/auth/oauth` (SameSite=Lax, Secure on an https origin, 10 min).
* `GET /auth/oauth/callback` (the redirect URI) serves the app page; it reads `code` and `state`
  from its own URL and posts them to
* `POST /auth/oauth/token` `{code, state}`: the usual `TokenSet`, or 400 `bad_request` with
  `reason: "oauth_failed"`. Either way the cookie is cleared: a flow is finished once.

All but the listing answer 404 while OAuth is off (local auth, or no hosted UI or providers
configured). The start and the exchange count against the address's sign-in rate.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from quotas.unavailable import REDIS_DOWN
from server.accounts import TokenSet
from server.accounts.cognito import CognitoAccounts
from server.api import Call, Endpoint
from server.auth.errors import AuthError
from server.auth.oauth import (
    CALLBACK_PATH,
    COOKIE,
    COOKIE_PATH,
    FLOW_TTL_S,
    PendingFlow,
    PendingFlows,
    authorize_url,
    exchange_code,
    new_state,
    new_verifier,
    same_state,
    token_form,
)
from server.errors import ApiError, error_body, map_error
from server.routes.static import index
from server.services import Services, services_of
from store.repos.errors import EmailTaken


class OAuthTokenIn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=2048)]
    state: Annotated[str, Field(min_length=1, max_length=512)]


class Providers(BaseModel):
    providers: list[str] = Field(
        description="Cognito names of the identity providers offered (Google, "
        "SignInWithApple); empty when Google/Apple sign-in is off"
    )


_NOT_FOUND = ApiError(404, "not_found", "No such item")
_EMAIL_TAKEN = "An account with this email already exists: sign in with its password."
_NOT_THIS_BROWSER = "This sign-in was not started in this browser; start again."


def _accounts(services: Services) -> CognitoAccounts:
    """The Cognito accounts, or 404 while OAuth is off."""
    accounts = services.auth.accounts
    if not services.settings.oauth_enabled or not isinstance(accounts, CognitoAccounts):
        raise _NOT_FOUND
    return accounts


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


async def list_providers(call: Call[BaseModel]) -> Providers:
    settings = call.services.settings
    return Providers(providers=list(settings.oauth_providers) if settings.oauth_enabled else [])


async def start(request: Request) -> Response:
    services = services_of(request)
    _accounts(services)
    settings = services.settings
    provider = str(request.path_params["provider"])
    if provider not in settings.oauth_providers:
        raise _NOT_FOUND
    state, verifier = new_state(), new_verifier()
    redirect = settings.oauth_redirect_uri
    async with services.auth.throttle.oauth(_client(request)):
        flow = PendingFlow(provider=provider, verifier=verifier, redirect_uri=redirect)
        try:
            await PendingFlows(services.redis).put(state, flow)
        except REDIS_DOWN:
            raise AuthError("unavailable") from None
    url = authorize_url(
        settings.cognito_domain,
        client_id=settings.cognito_client_id,
        redirect=redirect,
        provider=provider,
        state=state,
        verifier=verifier,
    )
    response = RedirectResponse(url, 302, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        state,
        max_age=FLOW_TTL_S,
        path=COOKIE_PATH,
        secure=redirect.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return response


async def callback(request: Request) -> Response:
    """The redirect URI: the app page, which finishes the flow from its own script."""
    _accounts(services_of(request))
    return await index(request)


async def _finish(services: Services, body: OAuthTokenIn, cookie: str | None) -> TokenSet:
    accounts = _accounts(services)
    flows = PendingFlows(services.redis)
    try:
        if cookie is None or not same_state(body.state, cookie):
            if cookie is not None:
                await flows.drop(cookie)  # this browser's own flow is over too
            raise AuthError("oauth_failed", _NOT_THIS_BROWSER)
        flow = await flows.take(body.state)
    except REDIS_DOWN:
        raise AuthError("unavailable") from None
    settings = services.settings
    form = token_form(
        client_id=settings.cognito_client_id,
        redirect=flow.redirect_uri,
        code=body.code,
        verifier=flow.verifier,
    )
    tokens = await exchange_code(services.http, settings.cognito_domain, form)
    verifier = services.auth.verifier
    try:
        access = await verifier.verify(tokens.access_token)
        identity = await verifier.verify(tokens.id_token, token_use="id")  # noqa: S106
    except AuthError as error:
        if error.code == "keys_unavailable":
            raise
        raise AuthError("oauth_failed") from None
    if access.user_id != identity.user_id or not identity.email:
        raise AuthError("oauth_failed", "The provider did not share an email address.")
    try:
        return await accounts.adopt(tokens)
    except EmailTaken:
        # A password account (another `sub` in the pool) has this address; the pool does not
        # link a provider's user to it, so signing in here would make a second climber.
        raise AuthError("oauth_failed", _EMAIL_TAKEN) from None


async def token(call: Call[OAuthTokenIn]) -> Response:
    request = call.request
    _accounts(call.services)  # 404 while off, before anything is counted
    response: Response
    try:
        async with call.services.auth.throttle.oauth(_client(request)):
            tokens = await _finish(call.services, call.body, request.cookies.get(COOKIE))
        response = JSONResponse(tokens.model_dump(mode="json", by_alias=True, exclude_none=True))
    except AuthError as error:
        mapped = map_error(error)
        response = JSONResponse(error_body(mapped), mapped.status, headers=mapped.headers)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax")
    return response


endpoints = [
    Endpoint("GET", "/auth/oauth", list_providers, "Identity providers offered for sign-in",
             response=Providers, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/oauth/token", token,
             "Finish Google/Apple sign-in: the code and state the hosted UI sent back",
             body=OAuthTokenIn, response=TokenSet, auth=False, tags=("auth",), errors=(400,)),
]  # fmt: skip

# The callback before `{provider}`, which would take its path.
routes = [
    Route(CALLBACK_PATH, callback, methods=["GET"]),
    Route(COOKIE_PATH + "/{provider}", start, methods=["GET"]),
]
