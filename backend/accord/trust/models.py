"""Chain anchors: RFC 3161 timestamps over the head of a trace chain.

A token over the head hash at sequence number ``seq`` proves that the chain's first ``seq``
events existed, exactly so, no later than the token's time: the authority signed the hash,
not Accord. Rewriting any of them (even with every hash recomputed and the database's
triggers off) changes the hash at ``seq`` and no longer matches the token, which
``accord verify-case`` and the evidence package's ``verify.py`` check.

Anchors are not trace events: an event on the chain would move the head it stamps. The row
is self-proving (the token is signed by the TSA); what the platform adds is ``reason`` and
``created_at``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.audit.models import TraceChain


class AnchorReason(models.TextChoices):
    """Why a chain was anchored (apps may pass other short reasons too)."""

    DOCUMENT_SEALED = "document.sealed", _("a document was sealed")
    RECORDING_FINALIZED = "recording.finalized", _("a hearing's recording was finalized")
    CASE_EXPORTED = "case.exported", _("an evidence package was exported")
    DAILY = "daily", _("daily anchor of a chain that moved")


class ChainAnchor(models.Model):
    chain = models.ForeignKey(TraceChain, on_delete=models.PROTECT, related_name="anchors")
    seq = models.PositiveBigIntegerField(_("sequence"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    # The DER TimeStampToken (a CMS SignedData over a TSTInfo) as the authority sent it.
    token = models.BinaryField(_("timestamp token"))
    reason = models.CharField(_("reason"), max_length=40)
    gen_time = models.DateTimeField(_("time stamped"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chain anchor")
        verbose_name_plural = _("chain anchors")
        ordering = ["chain_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="trust_anchor_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id}@{self.seq}"
