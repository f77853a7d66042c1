"""Run pytest against real, throwaway services: `python -m infra.testenv -- [pytest args]`.

Starts its own PostgreSQL cluster (unless DATABASE_URL is set), Redis and SeaweedFS S3 on
free loopback ports under var/test/<run id>/, exports their addresses plus bucket names and
key prefixes unique to the run, runs pytest, and stops everything it started whatever
happened. The exit code is pytest's.

A run killed too hard to clean up (SIGKILL) leaves its directory behind; the next run stops
the services recorded there and removes it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from infra import REPO_DIR, VENV_BIN
from infra.procs import free_ports, log, read_pidfile, stop_pidfile, stop_tagged
from infra.services import (
    Layout,
    PostgresCluster,
    RedisServer,
    S3Writer,
    SeaweedPorts,
    SeaweedS3,
)
from infra.system import (
    ensure_document_tools,
    ensure_postgres_bindir,
    ensure_redis_server,
    ensure_system_user,
    ensure_test_tools,
    is_root,
)
from infra.venv import ensure_venv

TEST_ROOT = REPO_DIR / "var" / "test"

# Settings a developer's shell may carry for the dev stack; a test run must not inherit them.
_STRIPPED_PREFIXES = ("ACCORD_", "S3_", "CELERY_")
_STRIPPED_NAMES = {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}


class TestServices:
    """The services of one test run and the environment that points at them."""

    def __init__(self, run_id: str, base: Path, database_url: str | None) -> None:
        self.run_id = run_id
        self.base = base
        self.layout = Layout(run_dir=base / "run", log_dir=base / "log", cwd=REPO_DIR)
        self.database_url = database_url
        self.redis: RedisServer | None = None
        self.s3: SeaweedS3 | None = None
        self.postgres: PostgresCluster | None = None
        self.pg_outside: Path | None = None

    def start(self) -> None:
        redis_binary = ensure_redis_server()
        pg_bindir = None
        if self.database_url is None:
            pg_bindir = ensure_postgres_bindir()
            if is_root():
                ensure_system_user("postgres")
        ports = free_ports(10)
        self.redis = RedisServer(
            self.layout, binary=redis_binary, port=ports[0], data_dir=self.base / "redis"
        )
        self.s3 = SeaweedS3(
            self.layout,
            data_dir=self.base / "seaweedfs",
            ports=SeaweedPorts(*ports[1:9]),
            access_key=f"accord-test-{self.run_id}",
            secret_key=secrets.token_urlsafe(24),
            # The media worker's own key: it may only write this run's recordings bucket.
            writers=[
                S3Writer(
                    name="media-worker",
                    access_key=f"accord-test-{self.run_id}-media-worker",
                    secret_key=secrets.token_urlsafe(24),
                    bucket=f"accord-recordings-t{self.run_id}",
                )
            ],
        )
        starters: list[Callable[[], None]] = [self.redis.start, self.s3.start]
        if pg_bindir is not None:
            self.postgres = PostgresCluster(
                self.layout, bindir=pg_bindir, data_dir=self._pg_data_dir(), port=ports[9]
            )
            starters.append(self._start_postgres)
        # Started side by side: SeaweedFS needs a few seconds, initdb a few more.
        _run_parallel(starters)

    def _pg_data_dir(self) -> Path:
        probe = PostgresCluster(self.layout, bindir=Path(), data_dir=Path(), port=0)
        self.base.mkdir(parents=True, exist_ok=True)
        if probe.can_reach(self.base):
            return self.base / "postgres"
        # The postgres user cannot reach into this checkout (under /root, say).
        outside = Path(tempfile.mkdtemp(prefix=f"accord-test-pg-{self.run_id}-"))
        outside.chmod(0o755)
        (self.base / "postgres-dir").write_text(str(outside))
        self.pg_outside = outside
        return outside / "data"

    def _start_postgres(self) -> None:
        assert self.postgres is not None
        self.postgres.init()
        self.postgres.start()
        self.postgres.create_database("accord")

    def stop(self) -> None:
        if self.postgres is not None:
            self.postgres.stop()
        if self.s3 is not None:
            self.s3.stop(graceful=False)  # its data is deleted next
        if self.redis is not None:
            self.redis.stop()

    def env(self) -> dict[str, str]:
        assert self.redis is not None and self.s3 is not None
        database_url = self.database_url
        if database_url is None:
            assert self.postgres is not None
            database_url = self.postgres.url("accord")
        tag = f"t{self.run_id}"
        return {
            "ACCORD_TEST_RUN": self.run_id,
            # Tests run as the local stack does: demo mode (demo links, the outbox and log SMS
            # backends, development cookies). Tests of production mode turn it off themselves
            # (tests/core/test_checks.py); demo-only behaviour is tested with it on and off.
            "ACCORD_DEMO": "1",
            # The dev stack's env file (var/stack.env) must not leak into tests.
            "ACCORD_ENV_FILE": "",
            "ACCORD_VAR_DIR": str(self.base / "var"),
            # The development PKI of this run (created on first use, by the tests or the
            # development TSA the `dev_tsa_url` fixture starts).
            "ACCORD_PKI_DIR": str(self.base / "var" / "pki"),
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "S3_ENDPOINT": self.s3.endpoint,
            "S3_ACCESS_KEY": self.s3.access_key,
            "S3_SECRET_KEY": self.s3.secret_key,
            "S3_SECURE": "0",
            "MEDIA_WORKER_S3_ACCESS_KEY": self.s3.writers[0].access_key,
            "MEDIA_WORKER_S3_SECRET_KEY": self.s3.writers[0].secret_key,
            # SeaweedFS is started with an SSE-S3 key (infra.services.SeaweedS3): every object
            # of the run is written with server-side encryption, as production should be.
            "S3_SSE": "s3",
            "S3_BUCKET_EVIDENCE": f"accord-evidence-{tag}",
            "S3_BUCKET_RECORDINGS": f"accord-recordings-{tag}",
            "S3_BUCKET_DOCUMENTS": f"accord-documents-{tag}",
            "ACCORD_CHANNEL_PREFIX": f"accord-{tag}",
            "ACCORD_CACHE_PREFIX": f"accord-{tag}",
            "ACCORD_CELERY_QUEUE": f"accord-{tag}",
            "ACCORD_HEARTBEAT_PREFIX": f"accord-{tag}",
        }


def _run_parallel(functions: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def call(function: Callable[[], None]) -> None:
        try:
            function()
        except BaseException as exc:  # reported below, from the main thread
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(f,), daemon=True) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("\n".join(str(e) for e in errors)) from errors[0]


def reap_orphans(root: Path = TEST_ROOT) -> None:
    """Stop and remove what earlier runs, killed before their cleanup, left behind."""
    if not root.is_dir():
        return
    for base in sorted(root.iterdir()):
        if not base.is_dir() or read_pidfile(base / "owner.pid") is not None:
            continue
        # Give a run that has just created its directory time to write its owner file.
        if time.time() - base.stat().st_mtime < 60 and not (base / "owner.pid").exists():
            continue
        log(f"testenv: removing the leftovers of an earlier run in {base}")
        stop_tagged("ACCORD_TEST_RUN", base.name)
        for pidfile in sorted((base / "run").glob("*.pid")):
            stop_pidfile(pidfile, timeout=10)
        _remove_run_dir(base)


def _remove_run_dir(base: Path, *, keep_logs: bool = False) -> None:
    """Remove a run's data; a failed run keeps its service logs until the next run."""
    outside = base / "postgres-dir"
    if outside.exists():
        shutil.rmtree(outside.read_text().strip(), ignore_errors=True)
    if not keep_logs:
        shutil.rmtree(base, ignore_errors=True)
        return
    for child in base.iterdir():
        if child.name not in {"log", "owner.pid"}:
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    log(f"testenv: service logs of this run kept in {base / 'log'} until the next run")


def _inherited_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_STRIPPED_PREFIXES) and key not in _STRIPPED_NAMES
    }


@contextlib.contextmanager
def _terminate_on_signals() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit so `finally:` blocks stop the services."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_pytest(args: list[str], env: dict[str, str]) -> int:
    process = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "pytest", *args],
        env=env,
        # A shell that runs us in the background makes us ignore SIGINT, and pytest would
        # inherit that: give it back its Ctrl-C, which we rely on to stop it cleanly.
        preexec_fn=_default_sigint,
    )
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # pytest got the same Ctrl-C from the terminal and is reporting; wait for it.
                continue
    finally:
        if process.poll() is None:
            # We are being stopped. SIGINT is pytest's Ctrl-C: it still runs fixture
            # teardown, which stops the workers that tests started. SIGTERM would not.
            _stop_gently(process)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop_gently(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGINT, 60), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        process.send_signal(sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.testenv",
        description="Run pytest against throwaway PostgreSQL, Redis and SeaweedFS S3.",
    )
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then pytest arguments")
    options = parser.parse_args(argv)
    pytest_args = list(options.pytest_args)
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]

    run_id = secrets.token_hex(4)
    base = TEST_ROOT / run_id
    base.mkdir(parents=True)
    (base / "owner.pid").write_text(f"{os.getpid()}\n")
    services = TestServices(run_id, base, os.environ.get("DATABASE_URL") or None)
    code = 1
    with _terminate_on_signals():
        try:
            reap_orphans()
            ensure_venv()
            ensure_test_tools()
            ensure_document_tools()
            started = time.monotonic()
            try:
                services.start()
            except RuntimeError as exc:
                log(f"testenv: a service failed to start:\n{exc}")
                return 3
            env = services.env()
            # STATIC_ROOT lives there; whitenoise warns about a missing one on every request.
            (Path(env["ACCORD_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
            log(
                f"testenv: run {run_id} ready in {time.monotonic() - started:.1f}s: "
                f"database {_redact(env['DATABASE_URL'])}, redis {env['REDIS_URL']}, "
                f"s3 {env['S3_ENDPOINT']}"
            )
            code = run_pytest(pytest_args, {**_inherited_env(), **env})
        finally:
            # Whatever a test started and did not stop (a worker of a test that was killed
            # mid-way) carries the run id in its environment.
            stray = stop_tagged("ACCORD_TEST_RUN", run_id)
            if stray:
                log(f"testenv: stopped {len(stray)} stray process(es) started by tests: {stray}")
            services.stop()
            _remove_run_dir(base, keep_logs=code != 0)
    return code


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}{sep}{user}@{host}"
    return url


if __name__ == "__main__":
    sys.exit(main())
