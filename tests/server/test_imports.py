"""Imports and exports through the real server on both engines: every sample logbook by REST
(`POST /users/import`, then polling the job) and by `v7 import`, re-imports that add nothing,
bad files, the JSON round trip between two accounts, and the CSV zip."""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from context.generations import RedisGenerations
from server.cli import main
from server.embedded_redis import EmbeddedRedis
from server.import_cli import progress_bar
from server.redis_url import unix_client
from tests.conftest import ENGINES
from tests.logbooks.big import mountain_project_ticks
from tests.server.helpers import PASSWORD
from tests.server.live import LiveServer, live_server, live_server_on

SAMPLES = Path(__file__).parent.parent / "logbooks" / "samples"
# sample → (rows read, refused, sessions, sends)
EXPECTED = {
    "mountainproject.csv": (6, 1, 2, 3),
    "thecrag.csv": (5, 1, 2, 3),
    "8a.csv": (4, 0, 2, 3),
    "kaya.csv": (5, 0, 2, 3),
}
ROUND_TRIP = ("journalEntries", "sends", "goals", "injuries", "trainingPlans", "nutritionLogs")


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    data_dir = Path(tmp_path_factory.mktemp("imports"))
    with live_server_on(str(request.param), data_dir, moto_endpoint) as live:
        yield live


async def account(http: httpx.AsyncClient, server: LiveServer) -> tuple[str, dict[str, str]]:
    """A fresh free climber: their email and bearer header."""
    email = f"importer-{uuid.uuid4().hex[:8]}@example.com"
    response = await http.post(
        "/auth/signup", json={"email": email, "password": PASSWORD, "name": "Importer"}
    )
    assert response.status_code == 201, response.text
    token = response.json()["tokens"]["accessToken"]
    return email, {"Authorization": f"Bearer {token}"}


async def upload(
    http: httpx.AsyncClient, headers: dict[str, str], data: bytes, fmt: str | None = None
) -> dict[str, Any]:
    """POST the file and poll its job until it is no longer running; the finished job."""
    fields = {"format": fmt} if fmt else {}
    response = await http.post(
        "/users/import", headers=headers, data=fields, files={"file": ("log.csv", data)}
    )
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/users/import/{response.json()['id']}"
    for _ in range(400):
        job: dict[str, Any] = (await http.get(response.headers["Location"], headers=headers)).json()
        if job["state"] != "running":
            return job
        await asyncio.sleep(0.025)
    raise AssertionError("the import did not finish")


@pytest.fixture
async def http(server: LiveServer) -> Any:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("sample", sorted(EXPECTED))
async def test_each_sample_imports_by_rest_and_again_adds_nothing(
    http: httpx.AsyncClient, server: LiveServer, sample: str
) -> None:
    rows, refused, sessions, sends = EXPECTED[sample]
    _, headers = await account(http, server)
    job = await upload(http, headers, (SAMPLES / sample).read_bytes())
    assert job["state"] == "done", job
    report = job["report"]
    assert (report["rowsRead"], report["refused"], report["imported"]) == (
        rows,
        refused,
        rows - refused,
    )
    assert (report["sessions"], report["sends"]) == (sessions, sends)
    assert all(error["line"] > 1 and error["reason"] for error in report["errors"])
    entries = (await http.get("/journal/entries", headers=headers)).json()["items"]
    assert len(entries) == sessions
    again = await upload(http, headers, (SAMPLES / sample).read_bytes())
    assert (again["report"]["imported"], again["report"]["duplicates"]) == (0, rows - refused)
    assert len((await http.get("/journal/entries", headers=headers)).json()["items"]) == sessions


@pytest.mark.parametrize("sample", sorted(EXPECTED))
async def test_each_sample_imports_by_the_command_line(
    http: httpx.AsyncClient,
    server: LiveServer,
    sample: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows, refused, sessions, _ = EXPECTED[sample]
    email, headers = await account(http, server)
    user_id = (await http.get("/users/profile", headers=headers)).json()["id"]
    redis = unix_client(EmbeddedRedis(server.settings.data_dir).socket_path, 1.0)
    generations = RedisGenerations(redis)
    before = await generations.read(user_id)
    monkeypatch.setenv("V7_DATA_DIR", str(server.settings.data_dir))
    monkeypatch.setenv("V7_STORE_URL", server.settings.resolved_store_url)
    status = await asyncio.to_thread(main, ["import", str(SAMPLES / sample), "--user", email])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"Imported {rows - refused} of {rows} rows" in out
    assert len((await http.get("/journal/entries", headers=headers)).json()["items"]) == sessions
    # The server's context cache hears of the import: the climber's generation moved on.
    assert await generations.read(user_id) not in (None, before)
    await redis.aclose()


async def test_an_import_does_not_use_the_free_weekly_allowance(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    _, headers = await account(http, server)
    for sample in ("kaya.csv", "mountainproject.csv"):
        assert (await upload(http, headers, (SAMPLES / sample).read_bytes()))["state"] == "done"
    assert len((await http.get("/journal/entries", headers=headers)).json()["items"]) == 4
    usage = (await http.get("/users/profile", headers=headers)).json()["usage"]
    assert usage["journal_entries"]["used"] == 0


async def test_bad_files_say_why_and_write_nothing(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    _, headers = await account(http, server)
    empty = await upload(http, headers, b"")
    assert empty["state"] == "failed"
    assert empty["message"] == "The file is empty: there is nothing to import."
    wrong = await upload(http, headers, (SAMPLES / "kaya.csv").read_bytes(), "thecrag")
    assert (
        wrong["message"] == "This looks like a KAYA logbook export, not a theCrag logbook export."
    )
    unknown = await upload(http, headers, b"name,age\nAda,36\n")
    assert unknown["state"] == "failed"
    assert "not those of any logbook" in unknown["message"]
    bad_format = await http.post(
        "/users/import", headers=headers, data={"format": "excel"}, files={"file": ("x", b"a")}
    )
    assert bad_format.status_code == 422
    assert (await http.get("/journal/entries", headers=headers)).json()["items"] == []
    assert (await http.get("/users/import/nope", headers=headers)).status_code == 404


async def test_another_climbers_import_is_not_found(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    _, mine = await account(http, server)
    _, theirs = await account(http, server)
    job = await upload(http, mine, (SAMPLES / "kaya.csv").read_bytes())
    assert (await http.get(f"/users/import/{job['id']}", headers=theirs)).status_code == 404


async def test_export_then_import_into_an_empty_account_is_the_same_account(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    _, source = await account(http, server)
    for sample in ("mountainproject.csv", "8a.csv"):
        await upload(http, source, (SAMPLES / sample).read_bytes())
    goal = {"type": "grade", "description": "Send 7a", "targetGrade": "7a"}
    assert (await http.post("/athlete/goals", headers=source, json=goal)).status_code == 201
    exported = (await http.get("/users/export", headers=source)).json()

    _, target = await account(http, server)
    document = (await http.get("/users/export", headers=source)).content
    job = await upload(http, target, document)
    assert job["state"] == "done", job
    assert job["report"]["refused"] == 0
    again = (await http.get("/users/export", headers=target)).json()
    for kind in ROUND_TRIP:
        assert again.get(kind) == exported.get(kind), kind


async def test_the_csv_export_is_a_zip_of_one_file_per_kind(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    _, headers = await account(http, server)
    await upload(http, headers, (SAMPLES / "mountainproject.csv").read_bytes())
    response = await http.get("/users/export", params={"format": "csv"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(
        ["sessions.csv", "sends.csv", "goals.csv", "injuries.csv", "meals.csv", "plans.csv"]
    )
    sessions = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode())))
    assert [row["date"] for row in sessions] == ["2026-03-14", "2026-03-15"]
    assert sessions[1]["gradesCompleted"] == "V2; V4"
    sends = list(csv.DictReader(io.StringIO(archive.read("sends.csv").decode())))
    assert {row["name"] for row in sends} == {"Sample Arete", "Little Block", "Mantle Problem"}
    assert archive.read("goals.csv").decode().startswith("id,description")


def test_an_import_has_its_own_body_limit_checked_before_reading(tmp_path: Path) -> None:
    # SQLite only, one small server: the limit is the point, not the engine.
    data = mountain_project_ticks(2_500, date(2026, 3, 1))  # ~300 KB
    with live_server(tmp_path, import_max_bytes=400_000) as small:
        assert len(data) > small.settings.max_body_bytes  # over every other REST body's limit
        token = httpx.post(
            f"{small.url}/auth/signup",
            json={"email": "big@example.com", "password": PASSWORD, "name": "Big"},
        ).json()["tokens"]["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        accepted = httpx.post(
            f"{small.url}/users/import", headers=headers, files={"file": ("ticks.csv", data)}
        )
        assert accepted.status_code == 202
        refused = httpx.post(
            f"{small.url}/users/import", headers=headers, files={"file": ("big.csv", data * 2)}
        )
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "too_large"
        assert refused.headers["connection"] == "close"
        for _ in range(400):
            job = httpx.get(f"{small.url}{accepted.headers['Location']}", headers=headers).json()
            if job["state"] != "running":
                break
            time.sleep(0.025)
        assert (job["state"], job["report"]["imported"]) == ("done", 2_500)


async def test_the_command_lines_progress_bar_draws_in_place() -> None:
    stream = io.StringIO()
    draw = progress_bar(stream)
    await draw(50, 200)
    await draw(200, 200)
    assert stream.getvalue() == (
        "\r[#######-----------------------]  25% 50/200 records"
        "\r[##############################] 100% 200/200 records\n"
    )
