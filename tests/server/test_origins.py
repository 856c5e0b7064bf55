"""Which origins may open the WebSocket: the configured ones exactly, else the web UI the server
itself serves on loopback, on whatever port it was started."""

from __future__ import annotations

from pathlib import Path

from server.settings import Settings


def test_without_a_setting_the_servers_own_port_on_loopback_is_allowed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=9123)
    assert settings.websocket_origins == ["http://127.0.0.1:9123", "http://localhost:9123"]
    copied = settings.model_copy(update={"port": 9124})  # what `v7 serve --port` does
    assert copied.websocket_origins == ["http://127.0.0.1:9124", "http://localhost:9124"]


def test_a_configured_list_is_used_exactly(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=9123, allowed_origins="https://v7.example")
    assert settings.websocket_origins == ["https://v7.example"]
