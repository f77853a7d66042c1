"""The local Accord stack: `python3 -m infra.stack up|down|status` (what `make up` runs).

`up` is safe to repeat: it keeps what is running, restarts what died, and restarts the
application processes only when the configuration they were started with has changed.
Ports and keys chosen on the first run are kept in var/stack.env and reused; every process
of the stack gets its environment from that file. `down` stops exactly the processes named
by pid files in var/run/ (a Redis we reused has none and is left alone).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra import REPO_DIR, VENV_BIN
from infra.envfile import merged, read_env, write_env
from infra.procs import (
    LOOPBACK,
    fail,
    free_ports,
    log,
    port_is_free,
    preferred_port,
    redis_answers,
    run,
    start_process,
    stop_pidfile,
    tail,
)
from infra.services import Layout, RedisServer, S3Writer, SeaweedPorts, SeaweedS3
from infra.system import ensure_document_tools, ensure_redis_server
from infra.venv import ensure_venv

VAR_DIR = REPO_DIR / "var"
ENV_FILE = VAR_DIR / "stack.env"
APP_FINGERPRINT = VAR_DIR / "run" / "app-env.sha256"
LAYOUT = Layout(run_dir=VAR_DIR / "run", log_dir=VAR_DIR / "log", cwd=REPO_DIR)

SHARED_REDIS_PORT = 6379
PREFERRED_WEB_PORT = 8000
PREFERRED_INTERNAL_PORT = 8001
PREFERRED_S3_PORT = 8333  # the default S3_ENDPOINT of settings.py
PREFERRED_TSA_PORT = 8318
PREFERRED_COURT_SIM_PORT = 8765
# The court simulator (infra/court_sim) speaking for the demo court: started once the demo is
# seeded, with the callback key `accord demo-court-key` gives the demo court's docking.
COURT_SIM = "court-sim"
COURT_KEY_FILE = VAR_DIR / "court-key.json"

# Started in this order, stopped in the reverse one. The development timestamp authority comes
# first: the web and the workers seal documents and anchor chains with it.
APP_PROCESSES = ("dev-tsa", "web", "celery-worker", "celery-beat", "media-worker")
SERVICES = ("redis", "seaweedfs")

# Which logs to read when /healthz names a component.
LOGS_FOR_COMPONENT = {
    "database": ["web"],
    "redis": ["redis"],
    "object_storage": ["seaweedfs"],
    "celery": ["celery-worker", "celery-beat"],
    "media_worker": ["media-worker"],
}

ENV_HEADER = """Written by `make up` (infra/stack.py) on its first run and reused by later runs.
Every process of the local stack runs with these variables; `accord ...` commands read
this file too (ACCORD_ENV_FILE in settings.py). Delete it (after `make down`) to start over."""


def first_run_values() -> dict[str, str]:
    """Values generated once per checkout; later runs keep what the env file says."""
    instance = secrets.token_hex(3)
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ACCORD_VAR_DIR": str(VAR_DIR),
        "DATABASE_URL": f"sqlite:///{VAR_DIR / 'accord.sqlite3'}",
        "ACCORD_DEMO": "1",
        "ACCORD_SECRET_KEY": secrets.token_urlsafe(48),
        "S3_ACCESS_KEY": f"accord-{instance}",
        "S3_SECRET_KEY": secrets.token_urlsafe(30),
        "S3_SECURE": "0",
        # The media worker's own token: it registers recording segments with the web's
        # internal listener with it (the web holds its SHA-256: ACCORD_MEDIA_WORKERS, derived
        # in load_env). And its own object-storage key, which may only write recordings.
        "MEDIA_WORKER_TOKEN": secrets.token_urlsafe(32),
        "MEDIA_WORKER_S3_ACCESS_KEY": f"accord-{instance}-media-worker",
        "MEDIA_WORKER_S3_SECRET_KEY": secrets.token_urlsafe(30),
        # The local SeaweedFS has an SSE-S3 key (var/seaweedfs/sse_kek): objects are encrypted.
        "S3_SSE": "s3",
        # A stable id: a restarted worker finds its spool (var/spool/<id>) and uploads what
        # it holds.
        "MEDIA_WORKER_ID": f"mw-{instance}",
        # A reused Redis may serve other stacks too (another checkout's `make up`): keep this
        # stack's queue, channel groups, cache and liveness keys apart from theirs.
        "ACCORD_CHANNEL_PREFIX": f"accord-{instance}",
        "ACCORD_CACHE_PREFIX": f"accord-{instance}",
        "ACCORD_CELERY_QUEUE": f"accord-{instance}",
        "ACCORD_HEARTBEAT_PREFIX": f"accord-{instance}",
    }


def load_env() -> dict[str, str]:
    env = merged(read_env(ENV_FILE), first_run_values())
    env["ACCORD_MEDIA_WORKERS"] = media_workers({env["MEDIA_WORKER_ID"]: env["MEDIA_WORKER_TOKEN"]})
    return env


def media_workers(tokens: Mapping[str, str]) -> str:
    """ACCORD_MEDIA_WORKERS for these workers' tokens: `id=<sha256 hex>,...`."""
    return ",".join(
        f"{worker}={hashlib.sha256(token.encode()).hexdigest()}"
        for worker, token in sorted(tokens.items())
    )


def recordings_writer(env: Mapping[str, str]) -> S3Writer:
    """The media worker's S3 identity: it may only put objects into the recordings bucket."""
    return S3Writer(
        name="media-worker",
        access_key=env["MEDIA_WORKER_S3_ACCESS_KEY"],
        secret_key=env["MEDIA_WORKER_S3_SECRET_KEY"],
        bucket=env.get("S3_BUCKET_RECORDINGS", "accord-recordings"),
    )


def process_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment of a stack process: ours, minus a virtualenv or settings of the
    caller's shell, plus the env file."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH"}
        and not k.startswith(("ACCORD_", "S3_", "CELERY_", "MEDIA_WORKER_"))
        and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return {**inherited, **env, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"}


# --- Backing services -----------------------------------------------------


def bring_up_redis(env: dict[str, str]) -> None:
    if LAYOUT.running("redis"):
        log(f"redis: running (ours) at {env['REDIS_URL']}")
        return
    if not redis_answers(SHARED_REDIS_PORT):
        binary = ensure_redis_server()
        # Installing the package may have started the distribution's own Redis.
        if not redis_answers(SHARED_REDIS_PORT):
            stored = int(env.get("STACK_REDIS_PORT", "0"))
            redis = RedisServer(
                LAYOUT,
                binary=binary,
                port=preferred_port(stored, avoid=[SHARED_REDIS_PORT]),
                data_dir=VAR_DIR / "redis",
            )
            redis.start()
            env["STACK_REDIS_PORT"] = str(redis.port)
            env["REDIS_URL"] = env["CELERY_BROKER_URL"] = redis.url
            log(f"redis: started ours at {redis.url}")
            return
    env["REDIS_URL"] = env["CELERY_BROKER_URL"] = f"redis://{LOOPBACK}:{SHARED_REDIS_PORT}/0"
    log(f"redis: reusing the one answering at {env['REDIS_URL']} (make down leaves it alone)")


def seaweed(env: Mapping[str, str]) -> SeaweedS3:
    ports = [int(p) for p in env.get("STACK_SEAWEEDFS_PORTS", "").split(",") if p]
    return SeaweedS3(
        LAYOUT,
        data_dir=VAR_DIR / "seaweedfs",
        ports=SeaweedPorts(*ports) if len(ports) == 8 else SeaweedPorts(*([0] * 8)),
        access_key=env["S3_ACCESS_KEY"],
        secret_key=env["S3_SECRET_KEY"],
        writers=[recordings_writer(env)],
    )


def bring_up_seaweedfs(env: dict[str, str]) -> None:
    s3 = seaweed(env)
    if LAYOUT.running("seaweedfs"):
        if s3.identities_current():
            s3.wait_ready(timeout=30)
            log(f"seaweedfs: running at {s3.endpoint}")
            return
        # Started before the media worker had its own key: its identities are read at start.
        log("seaweedfs: restarting to load the media worker's write-only key")
        s3.stop()
    # The S3 port is the one clients see: the settings' default when free, else the last
    # one. The internal ports only need to be free; data survives a change of any of them.
    s3_port = preferred_port(PREFERRED_S3_PORT, s3.ports.s3)
    internal = [p for p in s3.ports.all() if p != s3.ports.s3]
    if len(internal) != 7 or s3_port in internal or not all(map(port_is_free, internal)):
        internal = free_ports(7, avoid=[s3_port])
    ports = [*internal[:6], s3_port, internal[6]]
    env["STACK_SEAWEEDFS_PORTS"] = ",".join(str(p) for p in ports)
    s3 = seaweed(env)
    s3.start()
    env["S3_ENDPOINT"] = s3.endpoint
    log(f"seaweedfs: started at {s3.endpoint} (data in {s3.data_dir})")


# --- Application processes ------------------------------------------------


def app_argv(name: str, env: Mapping[str, str], *, run_dir: Path = LAYOUT.run_dir) -> list[str]:
    """The command line of an application process; tests start theirs with the same ones."""
    celery = [str(VENV_BIN / "celery"), "-A", "config"]
    if name == "web":
        port = env["STACK_WEB_PORT"]
        # daphne with Accord's WebSocket and request-body limits (accord.core.daphne).
        argv = [str(VENV_BIN / "python"), "-m", "accord.core.daphne", "-b", LOOPBACK, "-p", port]
        internal = env.get("ACCORD_INTERNAL_PORT", "")
        if internal not in {"", "0"}:
            # The internal listener (config.listeners): only /internal/… and /healthz.
            argv += ["-e", f"tcp:port={int(internal)}:interface={LOOPBACK}"]
        return [*argv, "config.asgi:application"]
    if name == "celery-worker":
        queue = env["ACCORD_CELERY_QUEUE"]
        return [
            *celery,
            "worker",
            "-l",
            "INFO",
            "-Q",
            queue,
            "--concurrency",
            "2",
            # Node names are global on a shared broker: two stacks must not clash.
            "-n",
            f"{queue}@%h",
        ]
    if name == "celery-beat":
        schedule = run_dir / "celerybeat-schedule"
        return [*celery, "beat", "-l", "INFO", "-s", str(schedule)]
    if name == "media-worker":
        return [str(VENV_BIN / "python"), "-m", "media_worker"]
    if name == "dev-tsa":
        # RFC 3161 over HTTP with the development PKI's TSA key (accord.trust.tsa_server).
        return [str(VENV_BIN / "accord"), "dev_tsa", "--port", env["STACK_TSA_PORT"]]
    raise ValueError(name)


def fingerprint(env: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(sorted(env.items()))).encode()).hexdigest()


def choose_web_port(env: dict[str, str]) -> None:
    running = LAYOUT.running("web")
    if not running:
        port = preferred_port(PREFERRED_WEB_PORT, int(env.get("STACK_WEB_PORT", "0")))
        env["STACK_WEB_PORT"] = str(port)
        env["ACCORD_BASE_URL"] = f"http://{LOOPBACK}:{port}"
    if running and env.get("ACCORD_INTERNAL_PORT"):
        return
    # The internal listener, where the media worker reaches the web (loopback here; a private
    # address in production, never published).
    internal = preferred_port(
        PREFERRED_INTERNAL_PORT,
        int(env.get("ACCORD_INTERNAL_PORT", "0")),
        avoid=[int(env["STACK_WEB_PORT"])],
    )
    env["ACCORD_INTERNAL_PORT"] = str(internal)
    env["ACCORD_INTERNAL_URL"] = f"http://{LOOPBACK}:{internal}"


def choose_tsa_port(env: dict[str, str]) -> None:
    """The development timestamp authority's port, and the URL every process stamps with."""
    if LAYOUT.running("dev-tsa"):
        return
    port = preferred_port(PREFERRED_TSA_PORT, int(env.get("STACK_TSA_PORT", "0")))
    env["STACK_TSA_PORT"] = str(port)
    env["ACCORD_TSA_URL"] = f"http://{LOOPBACK}:{port}/"


def accord(args: list[str], env: Mapping[str, str]) -> str:
    result = run([str(VENV_BIN / "accord"), *args], env=process_env(env), cwd=REPO_DIR)
    return result.stdout


def has_command(name: str, env: Mapping[str, str]) -> bool:
    code = (
        "import django, sys; django.setup(); "
        "from django.core.management import get_commands; "
        f"sys.exit(0 if {name!r} in get_commands() else 1)"
    )
    try:
        run([str(VENV_BIN / "python"), "-c", code], env=process_env(env), quiet=True)
    except RuntimeError:
        return False
    return True


def bring_up_apps(env: Mapping[str, str]) -> None:
    wanted = fingerprint(env)
    try:
        recorded = APP_FINGERPRINT.read_text().strip()
    except OSError:
        recorded = ""
    if recorded != wanted:
        for name in reversed(APP_PROCESSES):
            if stop_pidfile(LAYOUT.pidfile(name)):
                log(f"{name}: stopped to restart with the changed configuration")
    for name in APP_PROCESSES:
        pid = LAYOUT.running(name)
        if pid:
            log(f"{name}: running (pid {pid})")
            continue
        pid = start_process(
            name,
            app_argv(name, env),
            env=process_env(env),
            pid_dir=LAYOUT.run_dir,
            log_dir=LAYOUT.log_dir,
            cwd=REPO_DIR,
        )
        log(f"{name}: started (pid {pid}, log {LAYOUT.logfile(name).relative_to(REPO_DIR)})")
    APP_FINGERPRINT.write_text(wanted + "\n")


# --- Health ---------------------------------------------------------------


def fetch_health(base_url: str) -> tuple[int, dict[str, Any] | None]:
    """(HTTP status, body) of /healthz; status 0 when the web process does not answer."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.load(exc)
        except ValueError:
            return exc.code, None
    except (OSError, ValueError):
        return 0, None


def wait_healthy(env: Mapping[str, str], timeout: float = 120.0) -> None:
    base_url = env["ACCORD_BASE_URL"]
    deadline = time.monotonic() + timeout
    status, body = 0, None
    while time.monotonic() < deadline:
        status, body = fetch_health(base_url)
        if status == 200:
            return
        # A process that exited will not come back by waiting: say so now, with its log.
        for name in APP_PROCESSES:
            if not LAYOUT.running(name):
                logfile = LAYOUT.logfile(name)
                raise fail(f"{name} exited; last lines of {logfile}:\n{tail(logfile)}")
        time.sleep(1)
    if body is None:
        raise fail(f"web: {base_url}/healthz did not answer within {timeout:.0f}s (HTTP {status})")
    lines = [f"{base_url}/healthz answers {status}; down:"]
    for name in body.get("down", []):
        error = body.get("components", {}).get(name, {}).get("error", "")
        logs = ", ".join(f"var/log/{n}.log" for n in LOGS_FOR_COMPONENT.get(name, []))
        lines.append(f"  {name}: {error}  (see {logs})")
    raise fail("\n".join(lines))


# --- Commands -------------------------------------------------------------


def up() -> None:
    ensure_venv()
    ensure_document_tools()
    for directory in (VAR_DIR, LAYOUT.run_dir, LAYOUT.log_dir):
        directory.mkdir(parents=True, exist_ok=True)
    env = load_env()
    bring_up_redis(env)
    bring_up_seaweedfs(env)
    choose_web_port(env)
    choose_tsa_port(env)
    choose_court_sim_port(env)
    write_env(ENV_FILE, env, header=ENV_HEADER)
    accord(["migrate", "--noinput"], env)
    print(accord(["ensure-buckets"], env), end="")
    # The media worker's key may write recordings but not delete them (docs/security/media.md).
    seaweed(env).protect()
    # The development CA, TSA certificate and CRL under var/pki (once; demo mode).
    print(accord(["dev-pki"], env), end="")
    bring_up_apps(env)
    demo = ""
    if has_command("seed_demo", env):
        demo = accord(["seed-demo"], env)
        bring_up_court_sim(env)
    log("waiting for /healthz ...")
    wait_healthy(env)
    log("")
    log(f"Accord is up: {env['ACCORD_BASE_URL']}/")
    log(f"  health: {env['ACCORD_BASE_URL']}/healthz   logs: var/log/   stop: make down")
    if demo:
        log("")
        log(demo.rstrip())
    if LAYOUT.running(COURT_SIM):
        log("")
        log(
            f"Court simulator (the demo court): {env['STACK_COURT_SIM_URL']}/_sim/events; "
            f"push an entrustment: python3 -m infra.court_sim push --demo "
            f"--key-file {COURT_KEY_FILE.relative_to(REPO_DIR)}"
        )


def choose_court_sim_port(env: dict[str, str]) -> None:
    """The court simulator's port (chosen with the others, so the apps' configuration is
    complete before they start)."""
    if LAYOUT.running(COURT_SIM):
        return
    port = preferred_port(PREFERRED_COURT_SIM_PORT, int(env.get("STACK_COURT_SIM_PORT", "0")))
    env["STACK_COURT_SIM_PORT"] = str(port)
    env["STACK_COURT_SIM_URL"] = f"http://{LOOPBACK}:{port}"


def bring_up_court_sim(env: dict[str, str]) -> None:
    """The demo court's simulator: its docking in Accord calls it back; it serves materials."""
    callback_url = f"{env['STACK_COURT_SIM_URL']}/callbacks"
    key = accord(["demo-court-key", "--json", "--callback-url", callback_url], env)
    COURT_KEY_FILE.write_text(key)
    COURT_KEY_FILE.chmod(0o600)
    if LAYOUT.running(COURT_SIM):
        return
    sim_dir = VAR_DIR / "court-sim"
    (sim_dir / "materials").mkdir(parents=True, exist_ok=True)
    argv = [
        str(VENV_BIN / "python"),
        "-m",
        "infra.court_sim",
        "serve",
        "--port",
        env["STACK_COURT_SIM_PORT"],
        "--key-file",
        str(COURT_KEY_FILE),
        "--materials",
        str(sim_dir / "materials"),
        "--events",
        str(sim_dir / "events.jsonl"),
    ]
    pid = start_process(
        COURT_SIM,
        argv,
        env=process_env(env),
        pid_dir=LAYOUT.run_dir,
        log_dir=LAYOUT.log_dir,
        cwd=REPO_DIR,
    )
    log(f"{COURT_SIM}: started (pid {pid}, log {LAYOUT.logfile(COURT_SIM).relative_to(REPO_DIR)})")


def down() -> None:
    stopped = 0
    for name in (COURT_SIM, *reversed(APP_PROCESSES), *reversed(SERVICES)):
        if name == "seaweedfs" and LAYOUT.running(name):
            log("seaweedfs: stopping (its filer takes ~15 s to shut down cleanly)")
        if stop_pidfile(LAYOUT.pidfile(name), timeout=40):
            log(f"{name}: stopped")
            stopped += 1
    APP_FINGERPRINT.unlink(missing_ok=True)
    if not stopped:
        log("nothing of the stack was running")


def status() -> int:
    env = read_env(ENV_FILE)
    for name in (*SERVICES, *APP_PROCESSES, COURT_SIM):
        pid = LAYOUT.running(name)
        if pid:
            log(f"{name:14} running (pid {pid})")
        elif name == "redis" and env.get("REDIS_URL", "").endswith(f":{SHARED_REDIS_PORT}/0"):
            log(f"{name:14} reused at {env['REDIS_URL']}")
        else:
            log(f"{name:14} stopped")
    if "ACCORD_BASE_URL" not in env:
        return 1
    code, body = fetch_health(env["ACCORD_BASE_URL"])
    shown = json.dumps(body) if body else ""
    log(f"{env['ACCORD_BASE_URL']}/healthz: {code or 'no answer'} {shown}")
    return 0 if code == 200 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m infra.stack")
    parser.add_argument("command", choices=["up", "down", "status"])
    command = parser.parse_args(argv).command
    try:
        if command == "up":
            up()
        elif command == "down":
            down()
        else:
            return status()
    except RuntimeError as exc:
        print(f"make {command} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
