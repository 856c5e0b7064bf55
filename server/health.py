"""Liveness and readiness, for the load balancer and for humans."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.services import services_of
from store.errors import StoreUnavailable


async def healthz(request: Request) -> JSONResponse:
    """Alive: the process answers. Never touches a dependency, so a slow store cannot get a
    healthy task killed."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready: the store answers and the server is not draining."""
    services = services_of(request)
    if services.lifecycle.draining:
        return JSONResponse({"status": "draining"}, status_code=503)
    try:
        await services.table.ping()
    except StoreUnavailable:
        return JSONResponse({"status": "unavailable", "store": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ready"})


routes = [Route("/healthz", healthz), Route("/readyz", readyz)]
