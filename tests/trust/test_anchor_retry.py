"""A real Celery worker anchors after the caller's commit; while the TSA is down the task is
retried, and once the TSA answers the anchor appears. The daily run anchors moved chains."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from accord.audit.services import trace_chain_create
from accord.trust.anchors import anchor_chain_after_commit
from accord.trust.models import ChainAnchor
from accord.trust.tasks import anchor_moved_chains
from infra.procs import free_port
from infra.testprocs import StackProcesses
from tests.audit.conftest import append

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TIMEOUT = 90.0


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_for(predicate: Callable[[], bool], what: str, log: Callable[[], str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {TIMEOUT:.0f}s; worker log:\n{log()}")
        time.sleep(0.2)


@pytest.fixture
def tsa_port() -> int:
    return free_port()


@pytest.fixture
def worker(stack_processes: StackProcesses, settings, tsa_port: int) -> Iterator[StackProcesses]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the PostgreSQL test database")
    queue = f"{django_settings.CELERY_TASK_DEFAULT_QUEUE}-anchors-{secrets.token_hex(4)}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.ACCORD_TSA_URL = f"http://127.0.0.1:{tsa_port}/"
    stack_processes.start(
        "celery-worker",
        DATABASE_URL=database_url(),
        ACCORD_CELERY_QUEUE=queue,
        ACCORD_TSA_URL=settings.ACCORD_TSA_URL,
        ACCORD_ANCHOR_RETRY_SECONDS="1",
    )
    yield stack_processes


def test_a_tsa_that_is_down_is_retried_until_it_answers(worker, tsa_port, db):
    chain = trace_chain_create(key="case:TST-2026-00077")
    with transaction.atomic():
        append(chain, "recording.finalized", index=0)
        # Nothing listens on the TSA's port yet: the caller must not notice.
        anchor_chain_after_commit(chain, reason="recording.finalized")
    chain.refresh_from_db()
    assert chain.head_seq == 1

    log = lambda: worker.log_tail("celery-worker", 60)  # noqa: E731
    wait_for(lambda: "retry 1 in 1s" in worker.logfile("celery-worker").read_text(), "a retry", log)
    assert not ChainAnchor.objects.exists()

    worker.start("dev-tsa", STACK_TSA_PORT=str(tsa_port))
    wait_for(lambda: ChainAnchor.objects.filter(chain=chain).exists(), "the anchor", log)
    anchor = ChainAnchor.objects.get(chain=chain)
    assert (anchor.seq, anchor.head_hash, anchor.reason) == (
        1,
        chain.head_hash,
        "recording.finalized",
    )


def test_the_daily_run_anchors_every_chain_that_moved(worker, tsa_port, db):
    worker.start("dev-tsa", STACK_TSA_PORT=str(tsa_port))
    moved = trace_chain_create(key="case:TST-2026-00078")
    other = trace_chain_create(key="user:TST-78")
    append(moved, "test.step", index=0)
    append(other, "test.step", index=0)

    assert anchor_moved_chains() >= 2

    log = lambda: worker.log_tail("celery-worker", 60)  # noqa: E731
    wait_for(
        lambda: ChainAnchor.objects.filter(chain__in=[moved, other], reason="daily").count() == 2,
        "the daily anchors",
        log,
    )
