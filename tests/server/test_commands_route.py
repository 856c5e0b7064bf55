"""`GET /commands`: the catalogue the server parses by, for clients' hints."""

from __future__ import annotations

import httpx

from grammar.catalogue import CATALOGUE, find


async def test_the_catalogue_is_public_and_is_the_one_the_server_parses_by(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/commands")  # no token: it is the same for everyone
    assert response.status_code == 200
    commands = response.json()["commands"]
    assert [c["name"] for c in commands] == [spec.name for spec in CATALOGUE]
    for command in commands:
        spec = find(command["name"])
        assert spec is not None
        assert command["example"] == spec.example
        assert command["aliases"] == list(spec.aliases)
        assert command["grammar"].startswith(f"/{spec.name}")
    names = {c["name"] for c in commands}
    assert {"edit", "delete", "history", "profile"} <= names
