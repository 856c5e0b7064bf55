"""The chat web UI: `/` serves `index.html` and `/static/NAME` the files next to it.

Only files present in `server/static/` (flat, no subfolders) with a known extension are served,
so a crafted path cannot reach anything else: the name is looked up in that listing, never
joined onto a filesystem path. Every response carries a strict Content-Security-Policy (no
inline script or style, no third-party origin), `X-Content-Type-Options: nosniff` and an ETag.

Caching: the files have no content hash in their names (there is no build step), so they are
sent with `Cache-Control: no-cache` — the browser keeps them but revalidates with
`If-None-Match` on every load, which costs a 304 and never serves a stale UI after a deploy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# `connect-src 'self'` covers the UI's own socket: under CSP3 'self' matches ws:/wss: on the
# page's host and port (checked in Chromium by tests/ui). `ws: wss:` would allow any host.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def load_assets(directory: Path) -> dict[str, Asset]:
    """Every servable file in `directory`, by file name. Raises OSError if it is unreadable."""
    assets: dict[str, Asset] = {}
    for path in sorted(directory.iterdir()):
        content_type = CONTENT_TYPES.get(path.suffix)
        if content_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        assets[path.name] = Asset(body, content_type, etag)
    return assets


@cache
def _assets() -> dict[str, Asset]:
    # Read once, on the first request, rather than at import.
    return load_assets(STATIC_DIR)


def _not_found() -> Response:
    return JSONResponse(
        {"error": {"code": "not_found", "message": "No such item"}},
        404,
        headers={"X-Content-Type-Options": "nosniff"},
    )


def content_security_policy(media_origins: tuple[str, ...]) -> str:
    """The policy, letting the page post photos and videos to the media bucket and show them
    from it (`media_origins`: none with the local store, whose URLs are the app's own)."""
    if not media_origins:
        return CONTENT_SECURITY_POLICY
    extra = " ".join(media_origins)
    directives = [
        f"{directive} {extra}" if directive.startswith(("img-src", "connect-src")) else directive
        for directive in CONTENT_SECURITY_POLICY.split("; ")
    ]
    return "; ".join([*directives, f"media-src 'self' {extra}"])


def _media_origins(request: Request) -> tuple[str, ...]:
    services = getattr(request.app.state, "services", None)
    return services.media.store.origins if services is not None else ()


def _serve(request: Request, name: str) -> Response:
    asset = _assets().get(name)
    if asset is None:
        return _not_found()
    headers = {**SECURITY_HEADERS, "ETag": asset.etag}
    headers["Content-Security-Policy"] = content_security_policy(_media_origins(request))
    if asset.etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


async def index(request: Request) -> Response:
    return _serve(request, "index.html")


async def static_file(request: Request) -> Response:
    return _serve(request, str(request.path_params["name"]))


routes: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Route("/static/{name:path}", static_file, methods=["GET"]),
]
