"""`/` and `/static/…`: the right content types, a strict CSP the page actually complies with,
revalidation by ETag, and nothing served outside the static folder."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest

from tests.ui.conftest import UiServer

JS = "text/javascript; charset=utf-8"
IMPORT = re.compile(r"""^import\s[^;]*?from\s+"\./([a-z]+\.js)";""", re.MULTILINE)


@pytest.fixture
async def http(server: UiServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style":
            self.problems.append("a <style> element")
        if tag == "script" and not named.get("src"):
            self.problems.append("an inline <script>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("src", "href") and value:
                self.urls.append(value)


async def test_index_is_html_with_a_strict_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["content-security-policy"].split("; ")
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # the socket is same-origin: CSP3 'self' covers ws:
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]

    markup = _Markup()
    markup.feed(response.text)
    assert markup.problems == []  # the page works under that policy: nothing inline
    assert markup.urls
    assert all(url.startswith("/static/") for url in markup.urls)


async def test_every_module_and_asset_is_served_with_its_type(http: httpx.AsyncClient) -> None:
    seen: set[str] = set()
    queue = ["app.js"]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        response = await http.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == JS
        assert response.headers["x-content-type-options"] == "nosniff"
        queue.extend(IMPORT.findall(response.text))
    assert {"app.js", "connection.js", "messages.js", "cards.js", "commands.js"} <= seen

    css = await http.get("/static/app.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    icon = await http.get("/static/icon.svg")
    assert icon.headers["content-type"] == "image/svg+xml"


async def test_no_script_builds_html_from_text(http: httpx.AsyncClient) -> None:
    for name in (
        "app.js",
        "messages.js",
        "cards.js",
        "commands.js",
        "dom.js",
        "status.js",
        "plan.js",
        "planmodel.js",
        "nutrition.js",
        "nutritionmodel.js",
        "markdown.js",
    ):
        source = (await http.get(f"/static/{name}")).text
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{name} uses {sink}"


async def test_unchanged_files_revalidate_with_304(http: httpx.AsyncClient) -> None:
    first = await http.get("/static/app.css")
    etag = first.headers["etag"]
    again = await http.get("/static/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    stale = await http.get("/static/app.css", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.content == first.content


@pytest.mark.parametrize(
    "path",
    [
        "/static/nope.js",
        "/static/%2e%2e%2fapp.py",
        "/static/..%2F..%2Fsettings.py",
        "/static/%2Fetc%2Fpasswd",
        "/static/",
    ],
)
async def test_nothing_outside_the_static_files_is_served(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
