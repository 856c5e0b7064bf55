"""Media upload benchmark: a Premium climber attaches photos to a journal entry through
`v7 serve` in its own process (embedded parts, the local media store under its data dir), the
way the web UI does: sign (`POST …/media`), upload the bytes (the signed form POST), complete
(`POST …/complete`: the object is checked, its first bytes sniffed, and it is counted and
attached in one transaction).

What it shows: what each step costs per photo at three sizes, and the upload's throughput over
loopback (the client shares the machine). On S3 the upload goes straight to S3 and the server
does only the sign and the complete.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx

from bench.common import cpu, percentile, premium_tokens, served

SIZES = {"100 KB": 100_000, "2 MB": 2_000_000, "15 MB": 15_000_000}
PHOTOS = 20
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def _photo(size: int) -> bytes:
    return JPEG_HEAD + os.urandom(size - len(JPEG_HEAD))


async def _attach(http: httpx.AsyncClient, entry: str, body: bytes) -> tuple[float, float, float]:
    started = time.perf_counter()
    signed = await http.post(
        f"/journal/entries/{entry}/media", json={"contentType": "image/jpeg", "size": len(body)}
    )
    signed.raise_for_status()
    answer = signed.json()
    uploading = time.perf_counter()
    upload = answer["upload"]
    sent = await http.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("photo.jpg", body, "image/jpeg")},
    )
    sent.raise_for_status()
    completing = time.perf_counter()
    done = await http.post(f"/journal/entries/{entry}/media/{answer['mediaId']}/complete")
    done.raise_for_status()
    ended = time.perf_counter()
    await http.delete(f"/journal/entries/{entry}/media/{answer['mediaId']}")
    return uploading - started, completing - uploading, ended - completing


async def run() -> None:
    with served() as server:
        (token,) = await premium_tokens(server.settings, 1)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=120) as http:
            entry = await http.post(
                "/journal/entries",
                json={"date": "2026-01-05", "sessionType": "gym", "duration": 60},
            )
            entry.raise_for_status()
            entry_id = entry.json()["id"]
            print(f"media upload, local store, {PHOTOS} photos per size; {cpu()}")
            print("size     sign p50/p95 ms   upload p50 ms   upload MB/s   complete p50/p95 ms")
            for label, size in SIZES.items():
                body = _photo(size)
                steps = [await _attach(http, entry_id, body) for _ in range(PHOTOS)]
                sign = [s * 1000 for s, _, _ in steps]
                upload = [u for _, u, _ in steps]
                complete = [c * 1000 for _, _, c in steps]
                rate = size / statistics.median(upload) / 1_000_000
                print(
                    f"{label:<8} {statistics.median(sign):6.1f} / {percentile(sign, 0.95):6.1f}"
                    f"   {statistics.median(upload) * 1000:11.1f}   {rate:11.1f}"
                    f"   {statistics.median(complete):6.1f} / {percentile(complete, 0.95):6.1f}"
                )


def main() -> None:
    asyncio.run(run())
