"""What the apps call: anchor a chain in time once the caller's transaction commits.

``anchor_chain_after_commit(chain, reason=...)`` is called inside the transaction that
appended the event worth stamping (a document sealed, a recording finalized, a package
exported). After the commit a Celery task reads the head and asks the TSA for a token
(:func:`accord.trust.services.anchor_chain`); a TSA that is down is retried later and never
fails or slows the caller. Without ``ACCORD_TSA_URL`` nothing is queued.
"""

from __future__ import annotations

from django.db import transaction

from accord.audit.models import TraceChain
from accord.trust.tasks import queue_anchor
from accord.trust.tsa import tsa_configured


def anchor_chain_after_commit(chain: TraceChain, *, reason: str) -> None:
    """Queue a timestamp of ``chain``'s head for after the current transaction commits."""
    if not tsa_configured():
        return
    chain_id = chain.pk
    # robust: a broker that is down is logged, and the daily run anchors the chain later.
    transaction.on_commit(lambda: queue_anchor(chain_id, str(reason)), robust=True)
