"""The backing services we run ourselves: Redis, SeaweedFS (S3) and PostgreSQL.

Each is a plain object that knows its command line, its readiness test and its pid file, so
the dev stack (`infra.stack`) and the test harness (`infra.testenv`) start them the same way.
Everything binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import VENV_BIN
from infra.procs import (
    LOOPBACK,
    as_user,
    read_pidfile,
    redis_answers,
    run,
    start_process,
    stop_pidfile,
    tail,
    wait_until,
)
from infra.s3probe import put_bucket_policy, s3_ready
from infra.system import is_root


@dataclass(frozen=True)
class Layout:
    """Where one stack keeps its pid files and logs."""

    run_dir: Path
    log_dir: Path
    cwd: Path

    def pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def logfile(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def running(self, name: str) -> int | None:
        return read_pidfile(self.pidfile(name))


class Service:
    name = "service"

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def running(self) -> int | None:
        return self.layout.running(self.name)

    def stop(self) -> bool:
        return stop_pidfile(self.layout.pidfile(self.name))

    def _wait(self, ready: Callable[[], bool], timeout: float) -> None:
        try:
            wait_until(
                ready,
                timeout=timeout,
                what=self.name,
                alive=lambda: self.running() is not None,
            )
        except (TimeoutError, RuntimeError) as exc:
            raise RuntimeError(
                f"{exc}; last lines of {self.layout.logfile(self.name)}:\n"
                f"{tail(self.layout.logfile(self.name))}"
            ) from exc


class RedisServer(Service):
    name = "redis"

    def __init__(self, layout: Layout, *, binary: str, port: int, data_dir: Path) -> None:
        super().__init__(layout)
        self.binary = binary
        self.port = port
        self.data_dir = data_dir

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, *, timeout: float = 20.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            self.binary,
            "--bind",
            LOOPBACK,
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            # Broker messages, heartbeats and cache are all rebuilt by the processes that
            # own them; persistence would only leave stale liveness keys behind a restart.
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        start_process(
            self.name,
            argv,
            env=os.environ,
            pid_dir=self.layout.run_dir,
            log_dir=self.layout.log_dir,
            cwd=self.layout.cwd,
        )
        self._wait(lambda: redis_answers(self.port), timeout)


@dataclass(frozen=True)
class SeaweedPorts:
    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3: int
    s3_grpc: int

    def all(self) -> list[int]:
        return [
            self.master,
            self.master_grpc,
            self.volume,
            self.volume_grpc,
            self.filer,
            self.filer_grpc,
            self.s3,
            self.s3_grpc,
        ]


@dataclass(frozen=True)
class S3Writer:
    """An S3 identity that may only put objects into one bucket: the media worker's key
    (docs/security/media.md). No Read, List, Tagging or Admin; SeaweedFS lets its Write action
    delete too, so `SeaweedS3.protect` adds a bucket policy that denies deletes to it."""

    name: str
    access_key: str
    secret_key: str
    bucket: str

    def identity(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": [f"Write:{self.bucket}"],
        }

    def policy(self) -> dict[str, Any]:
        """Deny deletes to this identity (SeaweedFS names it by one of these two ARNs)."""
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "MediaWorkerMayNotDelete",
                    "Effect": "Deny",
                    "Principal": {
                        "AWS": [
                            f"arn:aws:iam::000000000000:user/{self.name}",
                            f"arn:aws:iam::admin:user/{self.name}",
                        ]
                    },
                    "Action": [
                        "s3:DeleteObject",
                        "s3:DeleteObjectVersion",
                        "s3:AbortMultipartUpload",
                    ],
                    "Resource": [f"arn:aws:s3:::{self.bucket}/*"],
                }
            ],
        }


class SeaweedS3(Service):
    """SeaweedFS master + volume + filer + S3 gateway in one `weed server` process.

    Started with an identities file, so anonymous and wrong-key requests get 403 as they
    would from production object storage, and with a key-encryption key for SSE-S3
    (``WEED_S3_SSE_KEK``, kept in ``<data dir>/sse_kek`` so that a restart still reads what
    it encrypted): without one SeaweedFS answers 500 to an ``x-amz-server-side-encryption:
    AES256`` put, with it the object is stored encrypted and HEAD says so (``S3_SSE=s3``).
    Besides the web's admin key it may hold write-only keys (`S3Writer`: the media worker's).
    """

    name = "seaweedfs"

    def __init__(
        self,
        layout: Layout,
        *,
        data_dir: Path,
        ports: SeaweedPorts,
        access_key: str,
        secret_key: str,
        writers: Sequence[S3Writer] = (),
    ) -> None:
        super().__init__(layout)
        self.data_dir = data_dir
        self.ports = ports
        self.access_key = access_key
        self.secret_key = secret_key
        self.writers = tuple(writers)

    @property
    def endpoint(self) -> str:
        return f"{LOOPBACK}:{self.ports.s3}"

    @property
    def identities_path(self) -> Path:
        return self.data_dir / "identities.json"

    @property
    def sse_kek_path(self) -> Path:
        return self.data_dir / "sse_kek"

    def sse_kek(self) -> str:
        """The store's SSE-S3 key-encryption key (64 hex digits), made on first start."""
        if not self.sse_kek_path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.sse_kek_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
        return self.sse_kek_path.read_text(encoding="ascii").strip()

    def identities_current(self) -> bool:
        """Whether the identities file (read by the gateway at start) is what we would write."""
        try:
            on_disk = json.loads(self.identities_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(on_disk == self.identities())

    def identities(self) -> dict[str, Any]:
        return {
            "identities": [
                {
                    "name": "accord",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                },
                *(writer.identity() for writer in self.writers),
            ]
        }

    def write_identities(self) -> None:
        identities = self.identities()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.identities_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(identities, handle)

    def argv(self) -> list[str]:
        p = self.ports
        glog_dir = self.layout.log_dir / "seaweedfs"
        glog_dir.mkdir(parents=True, exist_ok=True)
        return [
            str(VENV_BIN / "weed"),
            # weed's own log files go beside ours instead of /tmp.
            f"-logdir={glog_dir}",
            "server",
            f"-dir={self.data_dir / 'data'}",
            f"-ip={LOOPBACK}",
            f"-ip.bind={LOOPBACK}",
            f"-master.port={p.master}",
            f"-master.port.grpc={p.master_grpc}",
            f"-volume.port={p.volume}",
            f"-volume.port.grpc={p.volume_grpc}",
            "-filer",
            f"-filer.port={p.filer}",
            f"-filer.port.grpc={p.filer_grpc}",
            "-s3",
            f"-s3.port={p.s3}",
            f"-s3.port.grpc={p.s3_grpc}",
            f"-s3.config={self.identities_path}",
            # The Iceberg and Lance catalogs listen on fixed ports (8181, 9101) that a second
            # instance would fight over; we only speak S3.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            # Every bucket is a collection that grows 7 volumes on its first write. With
            # -volume.max=0 the slot count is free disk / volume size (2 slots on 80 GB free),
            # and the second bucket written to fails with HTTP 500. Volumes are sparse files:
            # many small slots cost nothing until used.
            "-master.volumeSizeLimitMB=1024",
            "-volume.max=1000",
            # The 10 s pause lets a cluster re-route writes away from a stopping volume
            # server; ours is alone, so the pause would only slow `make down`.
            "-volume.preStopSeconds=0",
        ]

    def start(self, *, timeout: float = 60.0) -> None:
        self.write_identities()
        (self.data_dir / "data").mkdir(parents=True, exist_ok=True)
        start_process(
            self.name,
            self.argv(),
            env={**os.environ, "WEED_S3_SSE_KEK": self.sse_kek()},
            pid_dir=self.layout.run_dir,
            log_dir=self.layout.log_dir,
            cwd=self.data_dir,
        )
        self.wait_ready(timeout=timeout)

    def wait_ready(self, *, timeout: float = 60.0) -> None:
        self._wait(lambda: s3_ready(self.endpoint, self.access_key, self.secret_key), timeout)

    def protect(self) -> None:
        """Put each writer's deny-delete policy on its bucket (which must exist by now)."""
        for writer in self.writers:
            status, body = put_bucket_policy(
                self.endpoint, self.access_key, self.secret_key, writer.bucket, writer.policy()
            )
            if status not in {200, 204}:
                raise RuntimeError(
                    f"seaweedfs: the policy of {writer.bucket} was refused: {status} {body[:300]}"
                )

    def stop(self, *, graceful: bool = True) -> bool:
        """Graceful takes ~15 s (the filer waits that long for the S3 gateway's metadata
        stream); a throwaway test instance is killed outright."""
        if graceful:
            return stop_pidfile(self.layout.pidfile(self.name), timeout=40)
        return stop_pidfile(self.layout.pidfile(self.name), sig=signal.SIGKILL, timeout=10)


class PostgresCluster(Service):
    """A throwaway PostgreSQL cluster for tests, tuned for speed over durability."""

    name = "postgres"
    superuser = "postgres"

    def __init__(self, layout: Layout, *, bindir: Path, data_dir: Path, port: int) -> None:
        super().__init__(layout)
        self.bindir = bindir
        self.data_dir = data_dir
        self.port = port
        # initdb and postgres refuse to run as root.
        self.os_user = "postgres" if is_root() else None

    def url(self, database: str) -> str:
        return f"postgres://{self.superuser}@{LOOPBACK}:{self.port}/{database}"

    def init(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.os_user is not None:
            shutil.chown(self.data_dir, self.os_user, self.os_user)
        self.data_dir.chmod(0o700)
        run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.superuser,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            cwd=self.data_dir,
            user=self.os_user,
            quiet=True,
        )
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "port": str(self.port),
            # TCP only: a socket path under a deep checkout can exceed the 107-byte limit.
            "unix_socket_directories": "''",
            # A test cluster is thrown away after the run; durability only costs time.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# accord test harness\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self, *, timeout: float = 60.0) -> None:
        start_process(
            self.name,
            [str(self.bindir / "postgres"), "-D", str(self.data_dir)],
            env=os.environ,
            pid_dir=self.layout.run_dir,
            log_dir=self.layout.log_dir,
            cwd=self.data_dir,
            user=self.os_user,
        )
        self._wait(self._accepting, timeout)

    def _accepting(self) -> bool:
        try:
            run(
                [
                    str(self.bindir / "pg_isready"),
                    *("-q", "-h", LOOPBACK, "-p", str(self.port), "-U", self.superuser),
                ],
                quiet=True,
            )
        except RuntimeError:
            return False
        return True

    def create_database(self, name: str) -> None:
        run(
            [
                str(self.bindir / "createdb"),
                "-h",
                LOOPBACK,
                "-p",
                str(self.port),
                "-U",
                self.superuser,
                name,
            ],
            quiet=True,
        )

    def stop(self) -> bool:
        # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, exit now.
        return stop_pidfile(
            self.layout.pidfile(self.name), sig=signal.SIGINT, group=False, timeout=20
        )

    def can_reach(self, path: Path) -> bool:
        """Whether the server's OS user can reach path (every parent searchable).

        A checkout under /root is not, for the postgres user; the caller then puts the
        cluster in a temporary directory instead.
        """
        if self.os_user is None:
            return os.access(path, os.W_OK | os.X_OK)
        result = subprocess.run(
            ["test", "-x", str(path)],
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            **as_user(self.os_user),
        )
        return result.returncode == 0
