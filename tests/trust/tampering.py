"""What an operator with database access could do to a chain: switch the append-only
triggers off, change an event, recompute every later hash and the head, so that the chain
verifies by itself again (as tests/audit stage it, on PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from accord.audit.canonical import chain_hash
from accord.audit.models import TraceChain, TraceEvent


@contextmanager
def triggers_disabled() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("tampering is staged on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def rewrite_history(chain: TraceChain, seq: int, payload: dict[str, Any]) -> str:
    """Give event ``seq`` a new payload and recompute the chain from there; the new head."""
    with triggers_disabled(), connection.cursor() as cursor:
        prev_hash = TraceEvent.objects.get(chain=chain, seq=seq).prev_hash
        for event in TraceEvent.objects.filter(chain=chain, seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.payload = payload
            digest = chain_hash(prev_hash, event.body(chain.key))
            cursor.execute(
                "UPDATE audit_traceevent SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(event.payload, ensure_ascii=False), prev_hash, digest, event.pk],
            )
            prev_hash = digest
        cursor.execute(
            "UPDATE audit_tracechain SET head_hash = %s WHERE id = %s", [prev_hash, chain.pk]
        )
    chain.refresh_from_db()
    return prev_hash
