"""The hash chain: how events are linked and what an append refuses."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest
from django.db import connection, transaction

from accord.audit.actors import Actor
from accord.audit.canonical import GENESIS_HASH, NonCanonicalValue, canonical_json
from accord.audit.models import TraceChain, TraceEvent
from accord.audit.services import trace_append, trace_chain_create
from tests.audit.conftest import append


def test_the_first_event_chains_from_the_genesis_hash(chain):
    append(chain, "case.submitted", amount="1200.00")
    event = TraceEvent.objects.get(chain=chain)
    assert event.seq == 1
    assert event.prev_hash == GENESIS_HASH


def test_the_hash_is_sha256_of_prev_hash_and_canonical_json(filled_chain):
    events = list(TraceEvent.objects.filter(chain=filled_chain).order_by("seq"))
    prev = GENESIS_HASH
    for event in events:
        body = {
            "chain": filled_chain.key,
            "seq": event.seq,
            "action": event.action,
            "actor": event.actor,
            "payload": event.payload,
            "occurred_at": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        # Written out independently of accord.audit.canonical on purpose.
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event.prev_hash == prev
        assert event.hash == hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        prev = event.hash
    filled_chain.refresh_from_db()
    assert filled_chain.head_seq == 5
    assert filled_chain.head_hash == prev


def test_canonical_json_sorts_keys_and_keeps_chinese_as_utf8():
    assert canonical_json({"b": 1, "a": "调解"}) == '{"a":"调解","b":1}'


def test_a_float_in_a_payload_is_refused_and_nothing_is_written(chain):
    with pytest.raises(NonCanonicalValue, match="float"):
        append(chain, "case.submitted", amount=12.5)
    assert TraceEvent.objects.filter(chain=chain).count() == 0
    chain.refresh_from_db()
    assert chain.head_seq == 0


@pytest.mark.django_db(transaction=True)
def test_an_append_outside_a_transaction_is_refused():
    chain = trace_chain_create(key="case:OUT-2026-00001")
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        trace_append(chain=chain, action="x", actor=Actor.system("tests"))
    assert TraceEvent.objects.count() == 0


def test_a_rolled_back_transaction_takes_its_event_with_it(chain):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        trace_append(chain=chain, action="case.accepted", actor=Actor.system("tests"))
        1 / 0  # noqa: B018
    assert TraceEvent.objects.filter(chain=chain).count() == 0
    chain.refresh_from_db()
    assert chain.head_seq == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_never_fork():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL property; SQLite serialises all writers")
    chain = trace_chain_create(key="case:CONC-2026-00001")

    def worker(index: int) -> None:
        try:
            for step in range(5):
                with transaction.atomic():
                    trace_append(
                        chain=TraceChain.objects.get(pk=chain.pk),
                        action="test.concurrent",
                        actor=Actor.system(f"thread-{index}"),
                        payload={"thread": index, "step": step},
                    )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))

    events = list(TraceEvent.objects.filter(chain=chain).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 41))
    prev = GENESIS_HASH
    for event in events:
        assert event.prev_hash == prev
        prev = event.hash
    chain.refresh_from_db()
    assert (chain.head_seq, chain.head_hash) == (40, prev)
