"""The trace: one append-only, hash-chained event log per case (R7 全程留痕)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.audit.canonical import GENESIS_HASH, event_body
from accord.core.fields import EncryptedCharField


class TraceChain(models.Model):
    """The head of one chain. Locked (SELECT ... FOR UPDATE) to serialise appends.

    The head is stored, not derived, so that cutting events off the end of the
    chain is caught by verification too. A database trigger lets the head only
    advance by one.
    """

    key = models.CharField(_("key"), max_length=120, unique=True)
    head_seq = models.PositiveBigIntegerField(_("head sequence"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS_HASH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trace chain")
        verbose_name_plural = _("trace chains")

    def __str__(self) -> str:
        return f"{self.key} @{self.head_seq}"


class TraceEvent(models.Model):
    """One event. Database triggers refuse UPDATE and DELETE on this table."""

    chain = models.ForeignKey(TraceChain, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=80)
    actor = models.JSONField(_("actor"))
    # Not part of the hash: an index for "what did this user do" queries.
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        ordering = ["chain_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id}#{self.seq} {self.action}"

    def body(self, chain_key: str) -> dict[str, Any]:
        return event_body(
            chain=chain_key,
            seq=self.seq,
            action=self.action,
            actor=self.actor,
            payload=self.payload,
            occurred_at=self.occurred_at,
        )


class PersonalKey(models.Model):
    """The secret key of one data subject (``user:<id>``, ``case:<case_no>``).

    Trace events commit to personal values (a phone number, an address, an uploaded
    file's name) as ``hmac-sha256:<hex>`` under this key; the values themselves live in
    :class:`PersonalValue`. Erasing a subject deletes its key and values: the chain keeps
    verifying, and what it committed to can no longer be recovered or confirmed.
    """

    subject = models.CharField(_("subject"), max_length=120, unique=True)
    # Encrypted at rest (accord.core.crypto), like the values it proves.
    secret = EncryptedCharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data key")
        verbose_name_plural = _("personal data keys")

    def __str__(self) -> str:
        return self.subject


class PersonalValue(models.Model):
    """A personal value a trace event commits to by its keyed hash. Erasable."""

    key = models.ForeignKey(PersonalKey, on_delete=models.CASCADE, related_name="values")
    field = models.CharField(_("field"), max_length=60)
    digest = models.CharField(_("keyed hash"), max_length=64, db_index=True)
    value = EncryptedCharField(_("value"))

    class Meta:
        verbose_name = _("personal value")
        verbose_name_plural = _("personal values")
        constraints = [
            models.UniqueConstraint(fields=["key", "field", "digest"], name="audit_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id}:{self.field}"
