"""Benchmark of video under packet loss (not a test; issue 10): the scenario of
tests/browser/test_packet_loss.py, once per receive path of the media worker.

    .venv/bin/python -m bench.loss [--paths 0 1] [--runs 1] [--keep DIR] [--write]

`--paths` are values of MEDIA_WORKER_LOSS_REPAIR: 0 = aiortc's stock receive path (its jitter
buffer), 1 = Accord's (the worker's default). Each run is a new three-person hearing on one
whole stack (daphne, Celery, a media worker started with that path, SQLite unless
DATABASE_URL is set, its own Redis and SeaweedFS): the applicant's Chromium sits in a network
namespace whose uplink loses 0, 2 and 5 % of its UDP at random, then all UDP for 5 s
(tests/browser/lossy.py says what is measured and how). Needs root (network namespaces) and
takes about two minutes per run plus a minute to set up. `--keep DIR` keeps each run's raw
data (JSON) and the applicant's recording; `--write` replaces the packet-loss section of
docs/performance.md with the table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser

from infra import REPO_DIR
from infra.procs import free_port
from infra.services import Layout, RedisServer
from infra.system import ensure_redis_server
from tests.browser import lossy
from tests.browser.chromium import chromium, chromium_missing_reason
from tests.browser.netns import unavailable_reason
from tests.browser.stack import BrowserStack, browser_stack

DOC = REPO_DIR / "docs" / "performance.md"
BEGIN, END = "<!-- bench/loss.py:begin -->", "<!-- bench/loss.py:end -->"
PATH_LABELS = {"0": "stock (aiortc jitter buffer)", "1": "Accord (loss repair)"}
# Settings of a developer's shell that must not reach the bench's stack (as infra.testenv).
_STRIPPED_PREFIXES = ("ACCORD_", "S3_", "CELERY_")


@contextlib.contextmanager
def services(work_dir: Path) -> Iterator[None]:
    """A Redis of the bench's own, and an environment pointing at it."""
    redis = RedisServer(
        Layout(run_dir=work_dir / "run", log_dir=work_dir / "log", cwd=REPO_DIR),
        binary=ensure_redis_server(),
        port=free_port(),
        data_dir=work_dir / "redis",
    )
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(_STRIPPED_PREFIXES) or name in ("REDIS_URL", "DJANGO_SETTINGS_MODULE"):
            del os.environ[name]
    redis.start()
    tag = secrets.token_hex(3)
    os.environ.update(
        {
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": redis.url,
            "ACCORD_VAR_DIR": str(work_dir / "var"),
            "S3_BUCKET_RECORDINGS": f"accord-recordings-bench-{tag}",
            "S3_BUCKET_EVIDENCE": f"accord-evidence-bench-{tag}",
            "S3_BUCKET_DOCUMENTS": f"accord-documents-bench-{tag}",
        }
    )
    try:
        yield
    finally:
        redis.stop()
        os.environ.clear()
        os.environ.update(saved)


def run_path(
    stack: BrowserStack, browser: Browser, path: str, keep: Path | None, run: int, runs: int
) -> lossy.LossReport:
    """One hearing on a fresh worker started with MEDIA_WORKER_LOSS_REPAIR=`path`."""
    worker = f"bench-loss-{path}-{run}-{secrets.token_hex(2)}"
    stack.start_worker(worker, MEDIA_WORKER_LOSS_REPAIR=path)
    try:
        raw = keep / f"loss-path{path}-run{run}.json" if keep else None
        label = PATH_LABELS.get(path, path) + (f", run {run + 1}" if runs > 1 else "")
        return lossy.run(stack, browser, path=label, keep=raw)
    finally:
        stack.processes.stop(worker)
        stack.workers.remove(worker)


def write_doc(reports: list[lossy.LossReport], command: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    section = (
        f"{BEGIN}\nMeasured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, `{command}`:\n\n"
        f"{lossy.table(reports)}\n{END}"
    )
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n## Packet loss (media worker)\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", nargs="+", default=["0", "1"], choices=["0", "1"])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep raw data and recordings here")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()
    for reason in (chromium_missing_reason(), unavailable_reason()):
        if reason:
            print(f"bench.loss cannot run here: {reason}", file=sys.stderr)
            return 2
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    reports: list[lossy.LossReport] = []
    with tempfile.TemporaryDirectory(prefix="accord-bench-loss-") as tmp:
        work = Path(tmp)
        with (
            services(work),
            browser_stack(work / "stack", workers=0) as stack,
            chromium() as (_, browser),
        ):
            for run in range(args.runs):
                for path in args.paths:
                    report = run_path(stack, browser, path, args.keep, run, args.runs)
                    print(f"\npath {report.path}:\n{report.table()}", flush=True)
                    for miss in lossy.failures(report):
                        print(f"  target missed: {miss}")
                    reports.append(report)
    print()
    print(lossy.table(reports))
    if args.write:
        command = f"python -m bench.loss --paths {' '.join(args.paths)}" + (
            f" --runs {args.runs}" if args.runs != 1 else ""
        )
        write_doc(reports, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
