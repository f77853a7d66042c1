"""Writes to the trace. Every state-changing service of every app calls
:func:`trace_append` inside its own transaction, so the change and its event
commit or roll back together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accord.audit.actors import Actor
from accord.audit.canonical import chain_hash, check_canonical, event_body
from accord.audit.models import TraceChain, TraceEvent


def trace_chain_create(*, key: str) -> TraceChain:
    """A new, empty chain. Its first event chains from the genesis hash."""
    return TraceChain.objects.create(key=key)


def trace_chain_of(owner: models.Model, *, key: str) -> TraceChain:
    """The chain kept in ``owner.chain`` (an organization's, a user's), created on first use.

    Call inside ``transaction.atomic()``: the owner's row is locked so that two
    first events cannot create two chains. ``owner.chain_id`` is updated in place.
    """
    chain_id: int | None = getattr(owner, "chain_id", None)
    if chain_id is None:
        manager = type(owner)._default_manager
        locked = manager.select_for_update().get(pk=owner.pk)
        chain_id = getattr(locked, "chain_id", None)
        if chain_id is None:
            chain_id = trace_chain_create(key=key).pk
            manager.filter(pk=owner.pk).update(chain=chain_id)
        owner.chain_id = chain_id  # type: ignore[attr-defined]
    return TraceChain.objects.get(pk=chain_id)


def trace_chain_named(key: str) -> TraceChain:
    """A chain that belongs to no row (a system-wide record such as the working-day calendar,
    ``system:workdays``), created on first use and locked until the caller's transaction ends.

    Call inside ``transaction.atomic()``. Holding the lock from the start serialises every
    writer of the chain, including the reads they make before they append.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("trace_chain_named must be called inside transaction.atomic()")
    TraceChain.objects.get_or_create(key=key)
    return TraceChain.objects.select_for_update().get(key=key)


def trace_append(
    *,
    chain: TraceChain,
    action: str,
    actor: Actor,
    payload: Mapping[str, Any] | None = None,
) -> TraceEvent:
    """Append one event to ``chain``.

    Must run inside the caller's ``transaction.atomic()``: the chain row is
    locked with SELECT ... FOR UPDATE, so concurrent appends to one chain queue
    up instead of forking it (on SQLite, immediate transactions serialise all
    writers). The caller's ``chain`` instance is refreshed with the new head.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("trace_append must be called inside transaction.atomic()")
    body_payload = dict(payload or {})
    check_canonical(body_payload)
    locked = TraceChain.objects.select_for_update().get(pk=chain.pk)
    seq = locked.head_seq + 1
    occurred_at = timezone.now()
    actor_json = actor.as_json()
    body = event_body(
        chain=locked.key,
        seq=seq,
        action=action,
        actor=actor_json,
        payload=body_payload,
        occurred_at=occurred_at,
    )
    digest = chain_hash(locked.head_hash, body)
    event = TraceEvent.objects.create(
        chain=locked,
        seq=seq,
        action=action,
        actor=actor_json,
        actor_user_id=actor.user_id,
        payload=body_payload,
        occurred_at=occurred_at,
        prev_hash=locked.head_hash,
        hash=digest,
    )
    locked.head_seq = seq
    locked.head_hash = digest
    locked.save(update_fields=["head_seq", "head_hash"])
    chain.head_seq = seq
    chain.head_hash = digest
    return event
