"""A whole Accord stack for browser tests: its own database on the run's PostgreSQL (or a
SQLite file outside `make test`), migrated and seeded with the demo data by the `accord`
commands, daphne and media workers started as `make up` starts them, with key and channel
prefixes private to it. Browsers then follow `accord demo-session --json` links like people."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

from infra import REPO_DIR
from infra.procs import free_ports
from infra.services import Layout, S3Writer, SeaweedPorts, SeaweedS3
from infra.stack import media_workers
from infra.testprocs import StackProcesses

ACCORD = str(REPO_DIR / ".venv" / "bin" / "accord")


class BrowserProcesses(StackProcesses):
    def start_as(self, key: str, name: str, **overrides: str) -> None:
        """Start `name` under another key: two media workers side by side."""
        self.start(name, **overrides)
        self.running[key] = self.running.pop(name)


@dataclass
class DemoSession:
    session_id: str
    case_no: str
    mediator_link: str
    applicant_link: str
    respondent_link: str


@dataclass
class BrowserStack:
    base_url: str
    env: dict[str, str]
    processes: BrowserProcesses
    # The stack's own object storage: a test may stop and restart it (an outage).
    s3: SeaweedS3
    work_dir: Path
    workers: list[str] = field(default_factory=list)
    # Given to every media worker this stack starts (e.g. MEDIA_WORKER_LOSS_REPAIR).
    worker_env: dict[str, str] = field(default_factory=dict)
    # Each media worker's own token (the web knows their hashes: ACCORD_MEDIA_WORKERS).
    worker_tokens: dict[str, str] = field(default_factory=dict)

    def accord(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [ACCORD, *args],
            env=self.env,
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"accord {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def demo_session(self) -> DemoSession:
        """A new hearing on a demo case, with fresh one-time links for its three people."""
        data = json.loads(self.accord("demo-session", "--json"))
        applicant, respondent = data["links"]["parties"]
        return DemoSession(
            session_id=data["session_id"],
            case_no=data["case_no"],
            mediator_link=data["links"]["mediator"],
            applicant_link=applicant,
            respondent_link=respondent,
        )

    def sms_outbox(self) -> list[dict[str, str]]:
        """Every SMS the stack sent so far (`phone`, `body`), oldest first."""
        path = Path(self.env["ACCORD_SMS_OUTBOX_FILE"])
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def spool_dir(self, worker_id: str) -> Path:
        return self.work_dir / "spool" / worker_id

    def start_worker(self, worker_id: str, **env: str) -> None:
        """Start (or restart, with the same spool) the media worker `worker_id`, with the
        stack's `worker_env` and then `env` on top of the stack's environment."""
        self.processes.start_as(
            worker_id,
            "media-worker",
            **{**self.worker_env, **env},
            MEDIA_WORKER_ID=worker_id,
            MEDIA_WORKER_TOKEN=self.worker_tokens[worker_id],
            MEDIA_WORKER_SPOOL_DIR=str(self.spool_dir(worker_id)),
        )
        if worker_id not in self.workers:
            self.workers.append(worker_id)

    def room_worker(self, session_id: str) -> str | None:
        """The worker the web placed the room on (docs/rooms-protocol.md: Redis key)."""
        client = redis.Redis.from_url(self.env["REDIS_URL"])
        value = client.get(f"{self.env['ACCORD_HEARTBEAT_PREFIX']}:room:{session_id}:worker")
        return value.decode() if value else None

    def log(self, name: str, lines: int = 40) -> str:
        return self.processes.log_tail(name, lines)


@contextlib.contextmanager
def own_database(base_url: str, work_dir: Path) -> Iterator[str]:
    """A new empty database next to the run's one; dropped afterwards."""
    if not base_url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work_dir / 'browser.sqlite3'}"
        return
    name = f"accord_browser_{secrets.token_hex(4)}"
    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_http(url: str, timeout: float, log: Any) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our http URL)
                return
        except urllib.error.HTTPError:
            return  # answering at all is enough: /healthz may be 503 without Celery
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s\n{log()}")


@contextlib.contextmanager
def browser_stack(
    work_dir: Path, *, workers: int = 1, worker_env: Mapping[str, str] | None = None
) -> Iterator[BrowserStack]:
    """The stack, with `workers` media workers started (each with `worker_env` on top of the
    stack's environment)."""
    tag = secrets.token_hex(4)
    port, internal_port, tsa_port = free_ports(3)
    # The workers this stack may start (each with a spare the worker-loss tests start later).
    ids = [f"mw-{tag}-{i}{spare}" for i in range(workers) for spare in ("", "-spare")]
    worker_tokens = {worker_id: secrets.token_urlsafe(32) for worker_id in ids}
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "DJANGO_SETTINGS_MODULE"))
    }
    s3 = SeaweedS3(
        Layout(run_dir=work_dir / "run", log_dir=work_dir / "log", cwd=REPO_DIR),
        data_dir=work_dir / "seaweedfs",
        ports=SeaweedPorts(*free_ports(8)),
        access_key=f"accord-browser-{tag}",
        secret_key=secrets.token_urlsafe(24),
        writers=[
            S3Writer(
                name="media-worker",
                access_key=f"accord-browser-{tag}-media-worker",
                secret_key=secrets.token_urlsafe(24),
                bucket=base_env.get("S3_BUCKET_RECORDINGS", "accord-recordings"),
            )
        ],
    )
    s3.start()
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(s3.stop, graceful=False)
        database_url = cleanup.enter_context(
            own_database(base_env.get("DATABASE_URL", ""), work_dir)
        )
        env = {
            **base_env,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ACCORD_DEMO": "1",
            "ACCORD_ENV_FILE": "",
            "ACCORD_BASE_URL": f"http://127.0.0.1:{port}",
            "STACK_WEB_PORT": str(port),
            "ACCORD_HEARTBEAT_PREFIX": f"accord-browser-{tag}",
            "ACCORD_CHANNEL_PREFIX": f"accord-browser-{tag}",
            "ACCORD_CACHE_PREFIX": f"accord-browser-{tag}",
            # A lost media worker must be noticed fast for the room to recover in the test.
            "ACCORD_MEDIA_HEARTBEAT_TTL": "3",
            "MEDIA_WORKER_HEARTBEAT_INTERVAL": "0.5",
            "ACCORD_CELERY_QUEUE": f"accord-browser-{tag}",
            # The internal listener (only /internal/… and /healthz), where the workers post.
            "ACCORD_INTERNAL_PORT": str(internal_port),
            "ACCORD_INTERNAL_URL": f"http://127.0.0.1:{internal_port}",
            "ACCORD_MEDIA_WORKERS": media_workers(worker_tokens),
            "S3_ENDPOINT": s3.endpoint,
            "S3_ACCESS_KEY": s3.access_key,
            "S3_SECRET_KEY": s3.secret_key,
            # The workers' write-only key for the recordings bucket.
            "MEDIA_WORKER_S3_ACCESS_KEY": s3.writers[0].access_key,
            "MEDIA_WORKER_S3_SECRET_KEY": s3.writers[0].secret_key,
            "S3_SECURE": "0",
            # Every SMS (join links, sign-in codes) is kept where the test can read it.
            "ACCORD_SMS_BACKEND": "accord.accounts.sms.FileOutboxSmsBackend",
            "ACCORD_SMS_OUTBOX_FILE": str(work_dir / "sms-outbox.jsonl"),
            # Seals and chain anchors: the stack's own development PKI and timestamp authority.
            "ACCORD_PKI_DIR": str(work_dir / "pki"),
            "STACK_TSA_PORT": str(tsa_port),
            "ACCORD_TSA_URL": f"http://127.0.0.1:{tsa_port}/",
        }
        processes = BrowserProcesses(work_dir=work_dir, env=env)
        stack = BrowserStack(
            base_url=env["ACCORD_BASE_URL"],
            env=env,
            processes=processes,
            s3=s3,
            work_dir=work_dir,
            worker_env=dict(worker_env or {}),
            worker_tokens=worker_tokens,
        )
        cleanup.callback(processes.stop_all)
        stack.accord("migrate", "--noinput", timeout=300)
        stack.accord("ensure-buckets")
        s3.protect()
        stack.accord("seed-demo", timeout=300)
        stack.accord("dev-pki")
        processes.start("dev-tsa")
        for i in range(workers):
            stack.start_worker(f"mw-{tag}-{i}")
        processes.start("web")
        processes.start("celery-worker")
        wait_http(f"{stack.base_url}/healthz", 60, lambda: stack.log("web"))
        wait_http(env["ACCORD_TSA_URL"], 60, lambda: stack.log("dev-tsa"))
        yield stack
