"""Application processes for tests: the command lines of `make up`, as children of pytest.

Tests that need a live Celery worker and beat, a media worker or daphne start them through
`StackProcesses` (the `stack_processes` fixture in tests/conftest.py) against the services of
the test run, with per-test overrides such as a private heartbeat prefix or Celery queue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from infra import REPO_DIR
from infra.procs import tail
from infra.stack import app_argv


class StackProcesses:
    def __init__(self, *, work_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.work_dir = work_dir
        self.env = dict(os.environ if env is None else env)
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, **overrides: str) -> subprocess.Popen[bytes]:
        """Start `name` (web, celery-worker, celery-beat, media-worker) with env overrides."""
        if name in self.running and self.running[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **overrides}
        with open(self.logfile(name), "ab") as log:
            process = subprocess.Popen(
                app_argv(name, env, run_dir=self.work_dir),
                env=env,
                cwd=REPO_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own process group: stopping a Celery worker must reach its pool children.
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def logfile(self, name: str) -> Path:
        return self.work_dir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 30) -> str:
        return tail(self.logfile(name), lines)

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        """Signal the process group and wait; returns the exit code (None if not running)."""
        process = self.running.pop(name, None)
        if process is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return process.wait()
        finally:
            # Pool children may outlive the leader for a moment; never leave them behind.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(process.pid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)
