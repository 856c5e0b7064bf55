"""One suite for both media stores (local files behind the app's signed URLs; S3 in moto's
server with the real aioboto3 client), through the real protocol: the REST calls a client
makes and the form upload to the signed target, with httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from quotas.features import BYTES_PER_GB
from server.media.kinds import MAX_VIDEO_BYTES
from store.records.user import Tier
from tests.server.helpers import DAY0, sign_up
from tests.server.live import LiveServer
from tests.server.media.helpers import (
    JPEG,
    MP4,
    PNG,
    STORES,
    clock_of,
    media_server,
    new_session,
    post_form,
    sign,
    storage,
    upload,
)


@pytest.fixture(scope="module", params=STORES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    with media_server(str(request.param), tmp_path_factory.mktemp("media"), moto_endpoint) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def test_a_photo_goes_up_and_comes_back_the_same(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    alice = await sign_up(server, "alice", tier=Tier.PRO)
    entry_id = await new_session(http, alice)
    signed = await sign(http, alice, entry_id)
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert set(body) == {"mediaId", "upload", "expiresAt"}
    assert set(body["upload"]) == {"url", "fields"}
    assert (await storage(http, alice))["reservedBytes"] == len(JPEG)

    posted = await post_form(http, body, JPEG, "image/jpeg")
    assert posted.status_code == 204, posted.text
    done = await http.post(
        f"/journal/entries/{entry_id}/media/{body['mediaId']}/complete", headers=alice
    )
    assert done.status_code == 200, done.text
    item = done.json()
    assert (item["id"], item["type"], item["contentType"], item["size"]) == (
        body["mediaId"],
        "image",
        "image/jpeg",
        len(JPEG),
    )
    assert (await http.get(item["url"])).content == JPEG

    listed = await http.get(f"/journal/entries/{entry_id}/media", headers=alice)
    assert [each["id"] for each in listed.json()["items"]] == [item["id"]]
    assert (await http.get(listed.json()["items"][0]["url"])).content == JPEG
    shown = await http.get(f"/journal/entries/{entry_id}", headers=alice)
    assert [ref["type"] for ref in shown.json()["media"]] == ["image"]
    assert await storage(http, alice) == {
        "usedBytes": len(JPEG),
        "reservedBytes": 0,
        "limitBytes": 5 * BYTES_PER_GB,
        "tier": "pro",
    }
    # Completing twice attaches once.
    again = await http.post(
        f"/journal/entries/{entry_id}/media/{body['mediaId']}/complete", headers=alice
    )
    assert again.status_code == 200
    assert (await storage(http, alice))["usedBytes"] == len(JPEG)


async def test_a_send_takes_a_video(server: LiveServer, http: httpx.AsyncClient) -> None:
    bob = await sign_up(server, "bob", tier=Tier.PREMIUM)
    a_send = {"grade": "v7", "name": "Midnight Lightning", "date": DAY0.isoformat()}
    created = await http.post("/benchmarks/sends", json=a_send, headers=bob)
    send_id = created.json()["id"]
    item = await upload(http, bob, send_id, MP4, "video/mp4", path="/benchmarks/sends")
    assert (item["type"], item["entryKind"], item["entryId"]) == ("video", "send", send_id)
    assert (await http.get(item["url"])).content == MP4
    assert (await storage(http, bob))["limitBytes"] == 20 * BYTES_PER_GB


async def test_bytes_of_another_type_are_refused_and_count_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    carol = await sign_up(server, "carol", tier=Tier.PRO)
    entry_id = await new_session(http, carol)
    signed = (await sign(http, carol, entry_id, "image/jpeg", len(PNG))).json()
    await post_form(http, signed, PNG, "image/jpeg")  # a PNG under a JPEG's name
    done = await http.post(
        f"/journal/entries/{entry_id}/media/{signed['mediaId']}/complete", headers=carol
    )
    assert done.status_code == 422
    assert done.json()["error"]["code"] == "invalid_entry"
    assert (await storage(http, carol))[("usedBytes")] == 0
    assert (await storage(http, carol))["reservedBytes"] == 0
    listed = await http.get(f"/journal/entries/{entry_id}/media", headers=carol)
    assert listed.json()["items"] == []


async def test_more_bytes_than_declared_are_refused_and_count_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    dan = await sign_up(server, "dan", tier=Tier.PRO)
    entry_id = await new_session(http, dan)
    signed = (await sign(http, dan, entry_id, "image/jpeg", 10)).json()
    posted = await post_form(http, signed, JPEG, "image/jpeg")
    done = await http.post(
        f"/journal/entries/{entry_id}/media/{signed['mediaId']}/complete", headers=dan
    )
    # The store refuses the post (the local store, and S3 by its policy), or if it took the
    # bytes, completion does: either way the climber sees a refusal and nothing is counted.
    assert posted.status_code >= 400 or done.status_code == 422
    assert done.status_code == 422
    assert await storage(http, dan) == {
        "usedBytes": 0,
        "reservedBytes": 0,
        "limitBytes": 5 * BYTES_PER_GB,
        "tier": "pro",
    }


async def test_a_type_that_is_not_a_photo_or_video_is_refused(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    erin = await sign_up(server, "erin", tier=Tier.PRO)
    entry_id = await new_session(http, erin)
    for content_type, size in (("application/pdf", 10), ("image/svg+xml", 10)):
        refused = await sign(http, erin, entry_id, content_type, size)
        assert refused.status_code == 422, content_type
    too_big = await sign(http, erin, entry_id, "video/mp4", MAX_VIDEO_BYTES + 1)
    assert too_big.status_code == 422
    assert (await storage(http, erin))["reservedBytes"] == 0


async def test_another_climbers_entry_is_not_found(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    owner = await sign_up(server, "owner", tier=Tier.PRO)
    other = await sign_up(server, "other", tier=Tier.PRO)
    entry_id = await new_session(http, owner)
    item = await upload(http, owner, entry_id)
    base = f"/journal/entries/{entry_id}/media"
    assert (await sign(http, other, entry_id)).status_code == 404
    assert (await http.get(base, headers=other)).status_code == 404
    assert (await http.post(f"{base}/{item['id']}/complete", headers=other)).status_code == 404
    assert (await http.delete(f"{base}/{item['id']}", headers=other)).status_code == 404
    assert (await storage(http, other))["reservedBytes"] == 0
    assert len((await http.get(base, headers=owner)).json()["items"]) == 1


async def test_the_free_tier_is_offered_an_upgrade(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    free = await sign_up(server, "free", tier=Tier.FREE)
    entry_id = await new_session(http, free)
    refused = await sign(http, free, entry_id)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["feature"], error["required_tier"]) == (
        "tier_required",
        "media_storage",
        "pro",
    )
    assert await storage(http, free) == {
        "usedBytes": 0,
        "reservedBytes": 0,
        "limitBytes": None,
        "tier": "free",
    }


async def test_a_full_storage_says_what_is_used_and_expired_uploads_give_it_back(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    fay = await sign_up(server, "fay", tier=Tier.PRO)
    entry_id = await new_session(http, fay)
    first = await upload(http, fay, entry_id)
    # Pro's 5 GB: 24 reservations of 200 MB and the photo leave room for one more video only.
    other_entries = [await new_session(http, fay) for _ in range(2)]
    for index in range(24):
        reserved = await sign(http, fay, other_entries[index % 2], "video/mp4", MAX_VIDEO_BYTES)
        assert reserved.status_code == 201, reserved.text
    refused = await sign(http, fay, entry_id, "video/mp4", MAX_VIDEO_BYTES)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert (error["used_bytes"], error["reserved_bytes"], error["limit_bytes"]) == (
        first["size"],
        24 * MAX_VIDEO_BYTES,
        5 * BYTES_PER_GB,
    )
    clock_of(server).advance(timedelta(seconds=server.settings.media_upload_seconds + 1))
    assert (await storage(http, fay))["reservedBytes"] == 0
    assert (await sign(http, fay, entry_id, "video/mp4", MAX_VIDEO_BYTES)).status_code == 201


async def test_completing_after_the_link_expired_counts_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    gil = await sign_up(server, "gil", tier=Tier.PRO)
    entry_id = await new_session(http, gil)
    signed = (await sign(http, gil, entry_id)).json()
    assert (await post_form(http, signed, JPEG, "image/jpeg")).status_code == 204
    clock_of(server).advance(timedelta(seconds=server.settings.media_upload_seconds + 1))
    done = await http.post(
        f"/journal/entries/{entry_id}/media/{signed['mediaId']}/complete", headers=gil
    )
    assert done.status_code == 422
    assert (await storage(http, gil))[("reservedBytes")] == 0
    assert (await storage(http, gil))["usedBytes"] == 0


async def test_deleting_media_or_its_entry_gives_the_storage_back(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    hal = await sign_up(server, "hal", tier=Tier.PRO)
    entry_id = await new_session(http, hal)
    one = await upload(http, hal, entry_id)
    two = await upload(http, hal, entry_id, PNG, "image/png")
    deleted = await http.delete(f"/journal/entries/{entry_id}/media/{one['id']}", headers=hal)
    assert deleted.status_code == 204
    assert (await http.get(one["url"])).status_code in (403, 404)
    assert (await storage(http, hal))["usedBytes"] == len(PNG)
    shown = await http.get(f"/journal/entries/{entry_id}", headers=hal)
    assert len(shown.json()["media"]) == 1

    assert (await http.delete(f"/journal/entries/{entry_id}", headers=hal)).status_code == 204
    assert (await http.get(two["url"])).status_code in (403, 404)
    assert (await storage(http, hal))["usedBytes"] == 0


async def test_the_export_lists_media_with_fresh_links(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    ivy = await sign_up(server, "ivy", tier=Tier.PRO)
    entry_id = await new_session(http, ivy)
    item = await upload(http, ivy, entry_id)
    exported = (await http.get("/users/export", headers=ivy)).json()
    assert [(m["id"], m["entryId"]) for m in exported["media"]] == [(item["id"], entry_id)]
    assert (await http.get(exported["media"][0]["url"])).content == JPEG
    assert not [o for o in exported["other"] if str(o.get("sk", "")).startswith("MEDIA")]


async def test_erasing_the_account_deletes_every_object(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    jo = await sign_up(server, "jo", tier=Tier.PRO)
    entry_id = await new_session(http, jo)
    items = [await upload(http, jo, entry_id), await upload(http, jo, entry_id, PNG, "image/png")]
    assert (await http.delete("/users/profile", headers=jo)).status_code == 204
    for item in items:
        assert (await http.get(item["url"])).status_code in (403, 404)


async def test_the_web_page_may_post_to_and_show_from_the_store(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    directives = dict(
        directive.split(" ", 1)
        for directive in (await http.get("/")).headers["content-security-policy"].split("; ")
    )
    # S3's signed URLs point at the bucket's origin (here moto's); the local store's at the app.
    bucket = server.settings.media_endpoint_url
    extra = f" {bucket}" if bucket else ""
    assert directives["connect-src"] == f"'self'{extra}"
    assert directives["img-src"] == f"'self' data:{extra}"
    assert directives.get("media-src", "'self'") == f"'self'{extra}"
