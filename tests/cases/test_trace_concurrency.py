"""Appends to one case's chain from parallel threads never fork it (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from accord.audit.actors import Actor
from accord.audit.canonical import GENESIS_HASH
from accord.audit.models import TraceChain, TraceEvent
from accord.audit.services import trace_append
from accord.audit.verify import verify_chain
from accord.cases import services
from accord.cases.errors import IllegalTransition
from accord.cases.models import Case, CaseState

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 16


def assert_linear(chain: TraceChain, expected: int) -> None:
    events = list(TraceEvent.objects.filter(chain=chain).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, expected + 1))
    prev = GENESIS_HASH
    for event in events:
        assert event.prev_hash == prev
        prev = event.hash
    chain.refresh_from_db()
    assert (chain.head_seq, chain.head_hash) == (expected, prev)
    assert verify_chain(chain).ok


def test_parallel_appends_to_a_case_chain_stay_one_line(case):
    chain_id = case.chain_id

    def append(index: int) -> None:
        try:
            with transaction.atomic():
                chain = TraceChain.objects.get(pk=chain_id)
                trace_append(
                    chain=chain,
                    action="test.parallel",
                    actor=Actor.system("tests"),
                    payload={"index": index},
                )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(append, range(THREADS * 2)))
    assert_linear(case.chain, 1 + THREADS * 2)


def test_racing_transitions_apply_one_after_the_other(case, ada, alice):
    """Accept and withdraw race: both are legal from 'submitted', but only the one
    that locks the case first applies from there; the other sees the new state."""
    case_id = case.pk

    def move(args: tuple) -> str:
        user, to = args
        try:
            fresh = Case.objects.get(pk=case_id)
            services.case_transition(case=fresh, user=user, to=to)
            return "ok"
        except IllegalTransition as exc:
            return exc.code
        finally:
            connections.close_all()

    attempts = [(ada, CaseState.ACCEPTED), (alice, CaseState.WITHDRAWN)] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(move, attempts))
    case.refresh_from_db()
    # submitted → accepted → withdrawn is legal, so at most one of each applies.
    assert results.count("ok") in (1, 2)
    assert set(results) <= {"ok", "illegal_transition"}
    # The apps above follow the moves on the same chain (deadlines: ``deadline.*`` events).
    moves = TraceEvent.objects.filter(chain=case.chain, action__startswith="case.").count()
    assert moves == 1 + results.count("ok")
    assert_linear(case.chain, TraceEvent.objects.filter(chain=case.chain).count())
