"""REST endpoints declared with their pydantic models, so the same models validate requests,
serialise responses and generate `/openapi.json`.

An `Endpoint` names its path, method, request body model, query model and response model.
`Endpoint.route()` makes the Starlette route: it authenticates (unless `auth=False`; an access
token, or a personal API token where `server.api_tokens` accepts one), parses and
validates the body and query (errors → 422 with field errors), calls the handler with a
`Call`, and serialises what it returns (a model → camelCase JSON; a `Response` passes through).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.caller import Caller
from core.untrusted_json import BadJSON, parse_json
from server.api_tokens import accepts_api_tokens, api_caller, is_api_token
from server.errors import ApiError
from server.security import authenticate, bearer_of
from server.services import Services, services_of
from store.records.common import at_ingest

B = TypeVar("B", bound=BaseModel)


@dataclass
class Call(Generic[B]):
    """What a handler gets: the request, the services, the caller (None on public endpoints),
    the validated body and query."""

    request: Request
    services: Services
    caller: Caller | None
    body: Any = None
    query: Any = None

    @property
    def user(self) -> Caller:
        if self.caller is None:  # only public endpoints have no caller, and they don't ask
            raise ApiError(401, "unauthorized", "Sign in first")
        return self.caller

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[Call[Any]], Awaitable[BaseModel | Response | Sequence[BaseModel] | None]]


@dataclass
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=())
    form: type[BaseModel] | None = None
    """A `multipart/form-data` body the handler reads itself as it streams (uploads): only
    documented here, never read by `route`."""

    @property
    def takes_api_tokens(self) -> bool:
        """Whether a personal API token may call it (`server.api_tokens`, the one list)."""
        return self.auth and accepts_api_tokens(self.method, self.path)

    def route(self) -> Route:
        async def endpoint(request: Request) -> Response:
            services = services_of(request)
            caller = None
            if self.auth:
                caller = await _caller_of(request, services, self.method, self.path)
            body = await _read_body(request, self.body, services.clock()) if self.body else None
            query = self.query.model_validate(dict(request.query_params)) if self.query else None
            result = await self.handler(Call(request, services, caller, body, query))
            return render(result, self.status)

        return Route(self.path, endpoint, methods=[self.method], name=f"{self.method} {self.path}")


async def _caller_of(request: Request, services: Services, method: str, path: str) -> Caller:
    """Who calls: a personal API token (`server.api_tokens`, counted as `api_calls`) or an
    access token (counted as `rest_calls`)."""
    bearer = bearer_of(request)
    now = services.clock()
    if bearer is not None and is_api_token(bearer):
        caller = await api_caller(
            services.table,
            services.users,
            services.policy,
            bearer,
            method=method,
            path=path,
            now=now,
        )
        await services.allowances.check_api_call(caller)
        return caller
    caller, _ = await authenticate(services.auth.verifier, services.users, bearer, now)
    await services.allowances.check_rest_call(caller)
    return caller


def render(result: BaseModel | Response | Sequence[BaseModel] | None, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204 if status == 200 else status)
    if isinstance(result, BaseModel):
        content: Any = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    else:
        content = [
            item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in result
        ]
    return JSONResponse(content, status_code=status)


async def _read_body(request: Request, model: type[B], now: datetime) -> B:
    # Its size was bounded while it streamed in (`server.limits.BodyLimit`); its nesting is
    # bounded before it is parsed.
    raw = await request.body()
    try:
        data = parse_json(raw or b"{}")
    except BadJSON as error:
        raise ApiError(400, "bad_request", f"The body must be JSON: {error}") from None
    return model.model_validate(data, context=at_ingest(now))
