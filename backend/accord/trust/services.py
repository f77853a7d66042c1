"""Anchoring a chain: one RFC 3161 token over its head, stored as a :class:`ChainAnchor`.

Called from Celery (:mod:`accord.trust.tasks`), never inside a caller's transaction: the
head is read without a lock and the HTTP request to the TSA runs with no transaction open.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet

from accord.audit.models import TraceChain
from accord.trust.models import ChainAnchor
from accord.trust.tsa import request_token, token_info

logger = logging.getLogger(__name__)


def anchor_chain(chain_id: int, *, reason: str) -> ChainAnchor | None:
    """Timestamp the chain's current head (nothing for an empty chain; the existing anchor
    when the head is anchored already). Raises :class:`accord.trust.errors.TsaError` when no
    token can be had."""
    chain = TraceChain.objects.get(pk=chain_id)
    if chain.head_seq == 0:
        return None
    existing = ChainAnchor.objects.filter(chain=chain, seq=chain.head_seq).first()
    if existing is not None:
        return existing
    token = request_token(bytes.fromhex(chain.head_hash))
    info = token_info(token)
    try:
        with transaction.atomic():
            anchor = ChainAnchor.objects.create(
                chain=chain,
                seq=chain.head_seq,
                head_hash=chain.head_hash,
                token=token,
                reason=reason[:40],
                gen_time=info.gen_time,
            )
    except IntegrityError:
        # Another worker anchored the same head meanwhile.
        return ChainAnchor.objects.get(chain=chain, seq=chain.head_seq)
    logger.info("anchored %s at seq %s (%s)", chain.key, chain.head_seq, reason)
    return anchor


def chains_to_anchor() -> QuerySet[TraceChain]:
    """Chains whose head moved since their last anchor (or that were never anchored)."""
    return (
        TraceChain.objects.filter(head_seq__gt=0)
        .annotate(last_anchored=Max("anchors__seq"))
        .filter(Q(last_anchored__isnull=True) | Q(head_seq__gt=F("last_anchored")))
        .order_by("pk")
    )
