"""The local media store's own URLs, as a client meets them: a forged or expired signature is
403 and stores nothing, more bytes than signed are refused before or while they are read, and
two uploads racing for the last of the storage are counted exactly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from quotas.features import BYTES_PER_GB
from server.media.kinds import MAX_VIDEO_BYTES
from store.records.user import Tier
from tests.server.helpers import sign_up
from tests.server.live import LiveServer
from tests.server.media.helpers import (
    JPEG,
    clock_of,
    media_server,
    new_session,
    post_form,
    sign,
    storage,
    upload,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with media_server("local", tmp_path_factory.mktemp("media"), "") as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


def stored_files(server: LiveServer) -> list[Path]:
    root = server.settings.data_dir / "media" / "users"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_a_forged_or_expired_upload_link_is_refused_and_stores_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    kim = await sign_up(server, "kim", tier=Tier.PRO)
    entry_id = await new_session(http, kim)
    signed = (await sign(http, kim, entry_id)).json()
    before = stored_files(server)

    url = signed["upload"]["url"]
    token = parse_qs(urlsplit(url).query)["policy"][0]
    policy, mac = token.split(".")
    forged = f"/media/upload?policy={policy}.{'A' * len(mac)}"
    forged_mac = {**signed, "upload": {**signed["upload"], "url": forged}}
    assert (await post_form(http, forged_mac, JPEG, "image/jpeg")).status_code == 403
    # The fields must be the signed ones: another key is refused even with a good signature.
    fields = {**signed["upload"]["fields"], "key": "users/someone/media/abc"}
    other_key = {**signed, "upload": {**signed["upload"], "fields": fields}}
    assert (await post_form(http, other_key, JPEG, "image/jpeg")).status_code == 403

    clock_of(server).advance(timedelta(seconds=server.settings.media_upload_seconds + 1))
    expired = await post_form(http, signed, JPEG, "image/jpeg")
    assert expired.status_code == 403
    assert stored_files(server) == before


async def test_a_forged_or_expired_download_link_is_refused(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    lee = await sign_up(server, "lee", tier=Tier.PRO)
    entry_id = await new_session(http, lee)
    item = await upload(http, lee, entry_id)
    good = await http.get(item["url"])
    assert good.status_code == 200
    assert good.headers["x-content-type-options"] == "nosniff"
    assert good.headers["content-type"] == "image/jpeg"
    path, query = item["url"].split("?")
    other = path.rsplit("/", 1)[0] + "/0123456789abcdef"
    assert (await http.get(f"{other}?{query}")).status_code == 403
    assert (await http.get(f"{path}?{query[:-2]}xx")).status_code == 403
    clock_of(server).advance(timedelta(seconds=server.settings.media_download_seconds + 1))
    assert (await http.get(item["url"])).status_code == 403


async def test_more_bytes_than_signed_are_refused_before_or_while_reading(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    max_ = await sign_up(server, "max", tier=Tier.PRO)
    entry_id = await new_session(http, max_)
    signed = (await sign(http, max_, entry_id, "image/jpeg", 100)).json()
    before = stored_files(server)
    # A declared length far past the signed size: refused before the body is read.
    declared = await http.post(
        signed["upload"]["url"],
        content=b"x" * 300_000,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert declared.status_code == 413

    # No length declared (chunked): reading stops at the first byte past the signed size.
    async def chunks() -> AsyncIterator[bytes]:
        fields = signed["upload"]["fields"]
        yield b"".join(
            b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (name.encode(), value.encode())
            for name, value in fields.items()
        )
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
        yield JPEG
        for _ in range(50):
            yield b"\x00" * 1024

    streamed = await http.post(
        signed["upload"]["url"],
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413
    assert stored_files(server) == before


async def test_racing_uploads_never_pass_the_limit(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    ned = await sign_up(server, "ned", tier=Tier.PRO)
    entries = [await new_session(http, ned) for _ in range(2)]
    for index in range(24):  # 4.8 of Pro's 5 GB reserved: room for one more 200 MB video
        reserved = await sign(http, ned, entries[index % 2], "video/mp4", MAX_VIDEO_BYTES)
        assert reserved.status_code == 201
    answers = await asyncio.gather(
        *(sign(http, ned, entries[i % 2], "video/mp4", MAX_VIDEO_BYTES) for i in range(4))
    )
    assert sorted(answer.status_code for answer in answers) == [201, 429, 429, 429]
    assert (await storage(http, ned))["reservedBytes"] == 5 * BYTES_PER_GB
