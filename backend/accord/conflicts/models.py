"""Declared relationships of mediators (回避 on interest) and applications for recusal (R4).

A :class:`Relationship` is what a mediator (or an administrator of their organization) declared
about them: kinship with a person, employment by or shares in an institution, earlier
involvement with a party. It holds personal data (a person's name and ID number): the trace
names it by id only (``orgs`` chain of the organization it was declared with).

A :class:`RecusalApplication` is one request that the case's mediator step aside: by a party
(decided by an administrator within ``MediationRules.recusal_decision_days`` working days), by
the mediator themselves, or required by the entrusting court (both decided at once). Its text
(grounds, the decision's reasons) are a person's words: the row keeps them, the trace only their
SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case
from accord.core.fields import EncryptedCharField
from accord.orgs.models import Organization


class RelationshipKind(models.TextChoices):
    KINSHIP = "kinship", _("Kinship with a person")
    EMPLOYMENT = "employment", _("Employment by an institution")
    SHAREHOLDING = "shareholding", _("Shareholding in an institution")
    PRIOR_INVOLVEMENT = "prior_involvement", _("Prior involvement with a party")


# Kinds about an institution (an Organization) and kinds about a person (name, ID number).
INSTITUTION_KINDS = frozenset({RelationshipKind.EMPLOYMENT, RelationshipKind.SHAREHOLDING})
PERIOD_KINDS = INSTITUTION_KINDS


class Relationship(models.Model):
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="declared_relationships",
    )
    # The mediation organization it was declared with (whose administrators keep it).
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="declared_relationships",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RelationshipKind.choices)
    # A person (kinship; prior involvement with a person or a legal person by name).
    person_name = models.CharField(_("name of the person"), max_length=200, blank=True)
    # Encrypted at rest (accord.core.crypto). Matched against cases in Python
    # (accord.conflicts.matching) after both are decrypted, never by a query.
    person_id_number = EncryptedCharField(
        _("ID card number or unified social credit code"), max_length=18, blank=True
    )
    # An institution (employment, shareholding; prior involvement with an organization).
    institution = models.ForeignKey(
        Organization,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("declared relationship")
        verbose_name_plural = _("declared relationships")
        ordering = ["mediator_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="conflicts_relationship_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"relationship {self.pk} of {self.mediator_id}"


class RecusalSource(models.TextChoices):
    PARTY = "party", _("Application by a party")
    SELF = "self", _("Self-recusal by the mediator")
    COURT = "court", _("Required by the entrusting court")


class RecusalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    # The mediator left the case otherwise before a decision: nothing is left to decide.
    LAPSED = "lapsed", _("Lapsed: the mediator no longer mediates the case")


class RecusalApplication(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="recusals"
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="recusals_as_mediator",
    )
    source = models.CharField(_("source"), max_length=10, choices=RecusalSource.choices)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The party the applicant applied as (``cases.states.Party``), or the role for self/court.
    applied_as = models.CharField(_("applied as"), max_length=20)
    grounds = models.TextField(_("grounds"))
    applied_on = models.DateField(_("applied on"))
    # The administrator decides by the end of this day (working days from ``applied_on``).
    due_on = models.DateField(_("decision due on"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RecusalStatus.choices, default=RecusalStatus.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replacement mediator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recusal application")
        verbose_name_plural = _("recusal applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "mediator"],
                condition=models.Q(status="pending"),
                name="conflicts_recusal_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"recusal {self.pk} on {self.case_id}"
