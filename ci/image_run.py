"""Run a built image's root filesystem the way a container runtime does, and check it.

`ci/image.sh` calls this as root inside fresh mount and network namespaces, with the image
mounted at ROOT and its config (`buildah inspect --format '{{json .Docker.Config}}'`) in CONFIG:

    image_run.py --root ROOT --config CONFIG

Contract (exit 0 only if all hold, otherwise exit 1 with the server's log):
- the root filesystem is read-only, with a fresh writable tmpfs on /tmp (the task definition's
  read-only root and /tmp volume), the host's /dev, and /proc of the container's own PID space;
- the image's Entrypoint + Cmd run unchanged as PID 1 of a new PID namespace, chrooted to ROOT,
  as the image's User (no supplementary groups), in its WorkingDir, with exactly its Env (plus
  HOME from the image's /etc/passwd when the Env has none, as Docker and ECS do);
- GET /healthz on 127.0.0.1 at the image's one exposed port answers 200 within START_TIMEOUT;
- the image's own HEALTHCHECK command, run the same way, exits 0;
- the image's StopSignal makes the server exit with status 0 within STOP_TIMEOUT (the task
  definition's stopTimeout for the default drain of 30 s).

The same file is the launcher (`--exec cmd|healthcheck`): chroot, drop to the image's user,
change to its workdir and exec with its environment, resolving the program on the image's PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

START_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0
HEALTHCHECK_TIMEOUT = 10.0


def load_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text())
    return config


def image_user(root: Path, user: str) -> tuple[int, int, str]:
    """uid, gid and home for the image's USER ("uid[:gid]" or names), read from its own files."""
    name, _, group = (user or "0").partition(":")
    passwd = [line.split(":") for line in (root / "etc/passwd").read_text().splitlines() if line]
    entry = next((f for f in passwd if name in (f[0], f[2])), None)
    uid = int(name) if name.isdigit() else int(entry[2]) if entry else 0
    if group:
        groups = [line.split(":") for line in (root / "etc/group").read_text().splitlines()]
        match = next((f for f in groups if f and group in (f[0], f[2])), None)
        gid = int(group) if group.isdigit() else int(match[2]) if match else 0
    else:
        gid = int(entry[3]) if entry else 0
    return uid, gid, entry[5] if entry else "/"


def exec_in_image(root: Path, config: dict[str, Any], what: str) -> None:
    """Replace this process with the image's command (`cmd`) or HEALTHCHECK test inside ROOT."""
    if what == "cmd":
        argv: list[str] = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
    else:
        test: list[str] = config["Healthcheck"]["Test"]
        argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
    env = dict(item.split("=", 1) for item in config.get("Env") or [])
    uid, gid, home = image_user(root, config.get("User") or "")
    env.setdefault("HOME", home)
    os.chroot(root)
    os.chdir(config.get("WorkingDir") or "/")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    os.execvpe(argv[0], argv, env)  # noqa: S606 - the image's own command is the point


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True)  # noqa: S603 - fixed tools, arguments from the image


def prepare(root: Path) -> None:
    """lo up, root read-only, tmpfs /tmp, host /dev: all in this process's own namespaces."""
    sh("ip", "link", "set", "lo", "up")
    sh("mount", "--bind", str(root), str(root))
    sh("mount", "-o", "remount,bind,ro", str(root))
    sh("mount", "-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "tmpfs", str(root / "tmp"))
    sh("mount", "--rbind", "/dev", str(root / "dev"))


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def only_child(pid: int) -> int:
    """The process `unshare --fork` started: the image's command, PID 1 in its namespace."""
    for _ in range(50):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("unshare started no process")


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def check(root: Path, config_path: Path) -> bool:
    config = load_config(config_path)
    ports = [p.split("/")[0] for p in config.get("ExposedPorts") or {}]
    if len(ports) != 1:
        print(f"FAIL: expected one exposed port, the image has {ports}")
        return False
    base = f"http://127.0.0.1:{ports[0]}"
    prepare(root)
    me = [sys.executable, str(Path(__file__).resolve()), "--root", str(root)]
    me += ["--config", str(config_path)]
    log_path = config_path.with_name("server.log")
    with log_path.open("wb") as log:
        started = time.monotonic()
        pid_ns = ["unshare", "--pid", "--fork", f"--mount-proc={root / 'proc'}"]
        server = subprocess.Popen(  # noqa: S603 - util-linux unshare, then the launcher
            [*pid_ns, *me, "--exec", "cmd"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            return _check_running(server, started, base, me, root, config, log_path)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


def _check_running(
    server: subprocess.Popen[bytes],
    started: float,
    base: str,
    me: list[str],
    root: Path,
    config: dict[str, Any],
    log_path: Path,
) -> bool:
    ok = True
    code = 0
    while time.monotonic() - started < START_TIMEOUT and server.poll() is None:
        code = get(base + "/healthz")
        if code == 200:
            break
        time.sleep(0.2)
    if code != 200:
        print(f"FAIL: /healthz gave {code or 'no answer'} (server exit: {server.poll()})")
        print(log_path.read_text()[-4000:])
        return False
    print(f"ok   GET /healthz -> 200, {time.monotonic() - started:.1f} s after start")
    print(f"info GET /readyz  -> {get(base + '/readyz')}")

    pid = only_child(server.pid)
    status = _status(pid)
    uid, gid, _ = image_user(root, config.get("User") or "")
    seen = (status["Uid"].split()[0], status["Gid"].split()[0], status["Groups"])
    ns_pid = status["NSpid"].split()[-1]
    as_image = seen == (str(uid), str(gid), "") and ns_pid == "1"
    print(f"{'ok  ' if as_image else 'FAIL'} uid/gid/groups {seen}, PID {ns_pid} in its namespace")
    ok &= as_image

    if (config.get("Healthcheck") or {}).get("Test", ["NONE"])[0] in ("CMD", "CMD-SHELL"):
        hc = subprocess.run(  # noqa: S603
            [*me, "--exec", "healthcheck"], capture_output=True, timeout=HEALTHCHECK_TIMEOUT
        )
        print(f"{'ok  ' if hc.returncode == 0 else 'FAIL'} image HEALTHCHECK exit {hc.returncode}")
        ok &= hc.returncode == 0
    else:
        print("info the image has no HEALTHCHECK")

    stop = signal.Signals[config.get("StopSignal") or "SIGTERM"]
    stopping = time.monotonic()
    os.kill(pid, stop)
    try:
        rc = server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"FAIL: still running {STOP_TIMEOUT:.0f} s after {stop.name}")
        return False
    print(
        f"{'ok  ' if rc == 0 else 'FAIL'} {stop.name} -> exit {rc}"
        f" in {time.monotonic() - stopping:.2f} s"
    )
    ok &= rc == 0
    if not ok:
        print(log_path.read_text()[-4000:])
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--exec", choices=["cmd", "healthcheck"], help="launcher mode")
    args = parser.parse_args()
    if args.exec:
        exec_in_image(args.root, load_config(args.config), args.exec)
    return 0 if check(args.root, args.config) else 1


if __name__ == "__main__":
    sys.exit(main())
