"""The embedded redis-server child (`server.embedded_redis`), opened as the app does with
`open_redis("embedded://", data_dir)`."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from server.embedded_redis import EmbeddedRedis, redis_server_binary
from server.redis_url import open_redis


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args)


def is_socket(path: Path) -> bool:
    return stat.S_ISSOCK(path.stat().st_mode)


def exists(path: Path) -> bool:
    return path.exists()


def wait_for_files(*paths: Path) -> None:
    for _ in range(500):
        if all(path.exists() for path in paths):
            return
        time.sleep(0.01)
    raise AssertionError(f"{paths} did not appear")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    status = Path(f"/proc/{pid}/stat").read_text()
    return status.split(") ", 1)[1][0] != "Z"


async def test_embedded_is_a_persistent_unix_socket_server_stopped_with_the_app(
    tmp_path: Path,
) -> None:
    redis_dir = tmp_path / "redis"
    async with open_redis("embedded://", tmp_path) as client:
        config = await client.config_get("*")
        assert config["port"] == "0"  # no TCP port at all
        socket_path = Path(str(config["unixsocket"]))
        assert socket_path == redis_dir / "redis.sock"
        assert is_socket(socket_path)
        assert (config["appendonly"], config["appendfsync"]) == ("yes", "everysec")
        assert Path(str(config["dir"])) == redis_dir
        pid = int((redis_dir / "redis.pid").read_text())
        await client.set("kept", "1")
    assert not alive(pid)
    assert not exists(socket_path)
    async with open_redis("embedded://", tmp_path) as client:
        assert await client.get("kept") == b"1"


async def test_stale_socket_and_pid_files_do_not_block_start(tmp_path: Path) -> None:
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    (redis_dir / "redis.sock").write_text("left by a crashed run")
    finished = spawn(sys.executable, "-c", "pass")
    finished.wait()
    (redis_dir / "redis.pid").write_text(f"{finished.pid}\n")
    async with open_redis("embedded://", tmp_path) as client:
        assert await client.ping()


async def test_orphan_of_a_crashed_run_is_replaced(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path) as first:
        config = first.config_path
        socket_path = first.socket_path
    # The crashed run's redis-server outlived it and still serves our data directory.
    orphan = spawn(str(redis_server_binary()), str(config))
    wait_for_files(socket_path, tmp_path / "redis" / "redis.pid")
    async with open_redis("embedded://", tmp_path) as client:
        assert orphan.wait(timeout=10) is not None
        assert await client.ping()


async def test_a_stranger_named_in_the_pid_file_is_left_alone(tmp_path: Path) -> None:
    stranger = spawn(sys.executable, "-c", "import time; time.sleep(30)")
    try:
        (tmp_path / "redis").mkdir()
        (tmp_path / "redis" / "redis.pid").write_text(str(stranger.pid))
        async with open_redis("embedded://", tmp_path) as client:
            assert await client.ping()
        assert stranger.poll() is None
    finally:
        stranger.send_signal(signal.SIGTERM)
        stranger.wait()


async def test_a_data_dir_too_long_for_a_socket_address_still_works(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    async with EmbeddedRedis(deep) as server:
        assert len(str(deep / "redis" / "redis.sock")) > 108
        assert len(str(server.socket_path)) < 100
        assert exists(deep / "redis" / "appendonly.aof")
    assert not exists(server.socket_path)


CRASHING_APP = """
import asyncio, sys
from pathlib import Path
from server.embedded_redis import EmbeddedRedis

async def main() -> None:
    server = EmbeddedRedis(Path(sys.argv[1]))
    await server.start()
    print(server.pid, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_the_child_does_not_outlive_a_killed_app(tmp_path: Path) -> None:
    app = subprocess.Popen(
        [sys.executable, "-c", CRASHING_APP, str(tmp_path)], stdout=subprocess.PIPE
    )
    assert app.stdout is not None
    redis_pid = int(app.stdout.readline())
    assert alive(redis_pid)
    app.kill()  # no cleanup runs in the app
    app.wait()
    for _ in range(500):
        if not alive(redis_pid):
            break
        time.sleep(0.01)
    assert not alive(redis_pid)


async def test_a_data_dir_with_spaces_and_quotes(tmp_path: Path) -> None:
    odd = tmp_path / 'climber\'s "data" dir'
    async with open_redis("embedded://", odd) as client:
        await client.set("k", "v")
        assert Path(str((await client.config_get("dir"))["dir"])) == odd / "redis"
