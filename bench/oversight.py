"""Benchmark of the oversight dashboards (not a test): each dashboard's time on 1,000,000 cases.

    .venv/bin/python -m bench.oversight [--cases 1000000] [--runs 5] [--reuse] [--no-baseline]
        [--write]

Starts its own PostgreSQL cluster (the test harness's `infra.services.PostgresCluster`, on a
free loopback port, data under var/bench/oversight/), creates a database, migrates it and seeds
it with bench/oversight_seed.py (set-based SQL: a million cases in minutes). `--reuse` keeps
the seeded cluster of an earlier run (it is kept on disk either way) and seeds only when it
holds fewer cases than asked.

For each scope kind (the largest mediation organization, the regulator and the court of its
region, the largest financial institution, the system scope), over the last 12 months: one
warm-up, then `--runs` timed runs of the whole dashboard (`accord.analytics.figures.dashboard`)
and of each of its tables alone (`figures.TABLES`); median and 95th percentile, and the number
of SQL queries. Baseline: the same with the indexes this work added dropped (then recreated).
`--write` replaces the oversight section of docs/performance.md with the figures.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra import REPO_DIR
from infra.procs import free_port
from infra.services import Layout, PostgresCluster
from infra.system import ensure_postgres_bindir, ensure_system_user, is_root

DOC = REPO_DIR / "docs" / "performance.md"
BEGIN, END = "<!-- bench/oversight.py:begin -->", "<!-- bench/oversight.py:end -->"
DATABASE = "accord_bench"
BENCH_DIR = REPO_DIR / "var" / "bench" / "oversight"
# A server sized like a small production database host, not like the test harness's.
SERVER_SETTINGS = {
    "shared_buffers": "'1GB'",
    "work_mem": "'32MB'",
    "maintenance_work_mem": "'512MB'",
    "effective_cache_size": "'4GB'",
    "random_page_cost": "1.1",
    "max_wal_size": "'4GB'",
    "jit": "off",
}


# --- The database ---------------------------------------------------------------------------


def _data_dir(probe: PostgresCluster) -> Path:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if probe.can_reach(BENCH_DIR):
        return BENCH_DIR / "postgres"
    # The postgres OS user cannot reach into this checkout (under /root, say): a fixed place
    # outside it, so that --reuse finds it again.
    outside = Path(tempfile.gettempdir()) / "accord-bench-oversight"
    outside.mkdir(exist_ok=True)
    outside.chmod(0o755)
    return outside / "data"


@contextmanager
def bench_cluster(*, reuse: bool) -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of the benchmark's own, started for the run and stopped after."""
    bindir = ensure_postgres_bindir()
    if is_root():
        ensure_system_user("postgres")
    layout = Layout(run_dir=BENCH_DIR / "run", log_dir=BENCH_DIR / "log", cwd=REPO_DIR)
    probe = PostgresCluster(layout, bindir=bindir, data_dir=Path(), port=0)
    data_dir = _data_dir(probe)
    port = free_port()
    cluster = PostgresCluster(layout, bindir=bindir, data_dir=data_dir, port=port)
    fresh = not (reuse and (data_dir / "PG_VERSION").exists())
    if fresh:
        if data_dir.exists():
            shutil.rmtree(data_dir)
        cluster.init()
    with open(data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("\n# bench/oversight.py\n")
        conf.writelines(f"{k} = {v}\n" for k, v in {**SERVER_SETTINGS, "port": port}.items())
    cluster.start()
    try:
        if fresh:
            cluster.create_database(DATABASE)
        yield cluster
    finally:
        cluster.stop()


def setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ACCORD_DEMO": "1",
            "ACCORD_ENV_FILE": "",
            "ACCORD_VAR_DIR": str(BENCH_DIR / "var"),
        }
    )
    import django

    django.setup()


# --- The measurement ------------------------------------------------------------------------


@dataclass
class Timing:
    """The runs of one dashboard or one table: seconds of each run, SQL queries of one."""

    name: str
    seconds: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class ScopeResult:
    kind: str
    label: str
    cases_in_scope: int
    dashboard: Timing
    tables: list[Timing]


def time_call(name: str, call: Callable[[], Any], *, runs: int, warmup: int = 1) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timing = Timing(name)
    for _ in range(warmup):
        call()
    for i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timing.seconds.append(time.perf_counter() - started)
        if i == 0:
            timing.queries = len(captured.captured_queries)
    return timing


def bench_scopes() -> list[Any]:
    """One scope of each kind: the largest mediation organization, the regulator and the court
    of its region, the largest institution, and the system scope."""
    from django.db.models import Count

    from accord.analytics.scope import Scope, ScopeKind
    from accord.cases.models import Case
    from accord.orgs.models import Organization, OrgKind

    def largest(field_name: str) -> Organization:
        top = (
            Case.objects.values(field_name)
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list(field_name, flat=True)[:1]
        )
        return Organization.objects.get(pk=top[0])

    organization = largest("organization")
    regulator = (
        Organization.objects.filter(kind=OrgKind.REGULATOR, region=organization.region).first()
        or Organization.objects.filter(kind=OrgKind.REGULATOR).first()
    )
    court = (
        Organization.objects.filter(kind=OrgKind.COURT, region=organization.region).first()
        or Organization.objects.filter(kind=OrgKind.COURT).first()
    )
    scopes = [Scope(ScopeKind.ORGANIZATION, organization)]
    if regulator is not None:
        scopes.append(Scope(ScopeKind.REGULATOR, regulator))
    if court is not None:
        scopes.append(Scope(ScopeKind.COURT, court))
    scopes += [Scope(ScopeKind.INSTITUTION, largest("respondent")), Scope(ScopeKind.SYSTEM)]
    return scopes


def twelve_months(today: datetime.date | None = None) -> Any:
    """The period the dashboards are timed over: the last 12 months, today included (the
    dashboards' default period)."""
    from accord.analytics import figures

    return figures.Period.default(today)


def measure(scope: Any, period: Any, *, runs: int, warmup: int = 1) -> ScopeResult:
    from accord.analytics import figures

    dashboard = time_call(
        "dashboard", lambda: figures.dashboard(scope, period), runs=runs, warmup=warmup
    )
    tables = [
        time_call(name, functools.partial(function, scope, period), runs=runs, warmup=warmup)
        for name, function in figures.TABLES.items()
    ]
    low, high = period.bounds()
    in_period = scope.cases().filter(created_at__gte=low, created_at__lt=high)
    return ScopeResult(
        kind=str(scope.kind),
        label=scope.label,
        cases_in_scope=in_period.count(),
        dashboard=dashboard,
        tables=tables,
    )


# --- The indexes (baseline: dropped) --------------------------------------------------------


def added_indexes() -> list[tuple[Any, Any]]:
    """The indexes added for the dashboards: (model, index), as in the models' Meta."""
    from accord.audit.models import TraceEvent
    from accord.cases.models import Case

    return [
        (model, index)
        for model in (Case, TraceEvent)
        for index in model._meta.indexes
        if index.name.startswith(("cases_ov_", "audit_ev_"))
    ]


@contextmanager
def without_indexes() -> Iterator[list[str]]:
    from django.db import connection

    indexes = added_indexes()
    with connection.schema_editor() as editor:
        for model, index in indexes:
            editor.remove_index(model, index)
    try:
        yield [index.name for _, index in indexes]
    finally:
        with connection.schema_editor() as editor:
            for model, index in indexes:
                editor.add_index(model, index)
        with connection.cursor() as cursor:
            for model in {m for m, _ in indexes}:
                cursor.execute(f"ANALYZE {model._meta.db_table}")


# --- The report -----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def table(after: list[ScopeResult], before: list[ScopeResult] | None) -> str:
    lines = [
        "| scope | cases in the period | dashboard median ms | p95 ms | SQL queries "
        "| without the indexes: median ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    base = {r.kind: r for r in before or []}
    for result in after:
        old = base.get(result.kind)
        lines.append(
            f"| {result.kind} ({result.label}) | {result.cases_in_scope:,} "
            f"| {_ms(result.dashboard.median)} | {_ms(result.dashboard.p95)} "
            f"| {result.dashboard.queries} "
            f"| {_ms(old.dashboard.median) if old else '–'} "
            f"| {_ms(old.dashboard.p95) if old else '–'} |"
        )
    return "\n".join(lines)


def tables_table(after: list[ScopeResult], before: list[ScopeResult] | None) -> str:
    """Per table, the median ms of each scope kind (after / before the indexes)."""
    base = {r.kind: {t.name: t for t in r.tables} for r in before or []}
    names = [t.name for t in after[0].tables] if after else []
    lines = [
        "| table | " + " | ".join(r.kind for r in after) + " |",
        "|---|" + "---|" * len(after),
    ]
    for name in names:
        cells = []
        for result in after:
            now = next(t for t in result.tables if t.name == name)
            old = base.get(result.kind, {}).get(name)
            cell = f"{_ms(now.median)} ({now.queries} q)"
            if old is not None:
                cell += f" / {_ms(old.median)}"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(
    after: list[ScopeResult],
    before: list[ScopeResult] | None,
    *,
    command: str,
    cases: int,
    seed_seconds: float | None,
    load: tuple[float, float, float],
    server_version: str,
) -> str:
    seeded = f" (seeded in {seed_seconds:.0f} s)" if seed_seconds is not None else ""
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"at the start: the machine was shared), PostgreSQL {server_version}, Python "
        f"{platform.python_version()}, {cases:,} cases{seeded}, `{command}`:\n\n"
        f"{table(after, before)}\n\n"
        "Per table, median ms (SQL queries) with the indexes / without:\n\n"
        f"{tables_table(after, before)}\n"
    )


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def explain(period: Any, names: list[str]) -> None:
    """EXPLAIN ANALYZE of every query of the named tables, for each scope kind."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.analytics import figures

    for scope in bench_scopes():
        for name in names:
            with CaptureQueriesContext(connection) as captured:
                figures.TABLES[name](scope, period)
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print(f"--- {scope.kind} {name}\n{query['sql']}\n{plan}\n", flush=True)


def run_all(period: Any, *, runs: int) -> list[ScopeResult]:
    results = []
    for scope in bench_scopes():
        result = measure(scope, period, runs=runs)
        print(
            f"{result.kind:13} {result.cases_in_scope:>9,} cases: dashboard median "
            f"{_ms(result.dashboard.median)} ms, p95 {_ms(result.dashboard.p95)} ms, "
            f"{result.dashboard.queries} queries; "
            + ", ".join(f"{t.name} {_ms(t.median)}" for t in result.tables),
            flush=True,
        )
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.oversight")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--explain", nargs="+", metavar="TABLE", help="EXPLAIN these tables")
    parser.add_argument("--seed-only", action="store_true", help="seed (or keep), measure nothing")
    options = parser.parse_args()
    load = os.getloadavg()
    with bench_cluster(reuse=options.reuse) as cluster:
        setup_django(cluster.url(DATABASE))
        from django.core.management import call_command
        from django.db import connection

        from accord.cases.models import Case
        from bench.oversight_seed import seed

        call_command("migrate", verbosity=0)
        seed_seconds = None
        have = Case.objects.count()
        if have < options.cases:
            if have:
                sys.exit(f"the kept database holds {have} cases, fewer than asked: drop --reuse")
            started = time.monotonic()
            seeded = seed(options.cases)
            seed_seconds = time.monotonic() - started
            record = {"rows": seeded.rows, "seconds": seeded.seconds, "total": seed_seconds}
            (BENCH_DIR / "seed.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
            print("seeded:", record, flush=True)
        elif (BENCH_DIR / "seed.json").exists():
            seed_seconds = json.loads((BENCH_DIR / "seed.json").read_text())["total"]
        cases = Case.objects.count()
        if options.seed_only:
            print(f"{cases:,} cases in the database")
            return
        period = twelve_months()
        if options.explain:
            explain(period, options.explain)
            return
        after = run_all(period, runs=options.runs)
        before = None
        if not options.no_baseline:
            with without_indexes() as dropped:
                print(f"baseline, without {', '.join(dropped) or 'no index'}:", flush=True)
                before = run_all(period, runs=options.runs)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        command = "python -m bench.oversight " + " ".join(a for a in sys.argv[1:] if a != "--write")
        section = report(
            after,
            before,
            command=command.strip(),
            cases=cases,
            seed_seconds=seed_seconds,
            load=load,
            server_version=str(row[0]).split()[0] if row else "?",
        )
        print(section)
        if options.write:
            write_doc(section)


if __name__ == "__main__":
    main()
