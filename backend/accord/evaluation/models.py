"""Neutral evaluation of a case (中立评估, R6).

An :class:`Evaluation` is one request that an independent expert evaluate a case: asked by the
case's organization (an administrator, or the case's mediator) for a disputed, many-party or
typical case, or by the respondent financial institution (its staff) for a hard complaint
(疑难投诉). An administrator appoints an expert (an :class:`ExpertAppointment`, after the same
conflict check as a mediator's); the expert declares their independence before they see
anything of the case, then writes an advisory report, rendered as a document of kind
``evaluation_report`` (``accord.documents``) and delivered to the parties.

The reasons, the declaration and the override's reason are people's words: the rows keep them,
the trace (the case's chain) only their SHA-256. Every write goes through
:mod:`accord.evaluation.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case


class EvaluationGround(models.TextChoices):
    """Why an evaluation is asked for (R6)."""

    DISPUTED = "disputed", _("The facts or liability are strongly disputed")
    MANY_PARTIES = "many_parties", _("Many parties are involved")
    TYPICAL = "typical", _("A typical case")
    HARD_COMPLAINT = "hard_complaint", _("A hard complaint of the financial institution")


# The organization asks on these grounds; the institution only for a hard complaint.
ORGANIZATION_GROUNDS = frozenset(
    {EvaluationGround.DISPUTED, EvaluationGround.MANY_PARTIES, EvaluationGround.TYPICAL}
)
INSTITUTION_GROUNDS = frozenset({EvaluationGround.HARD_COMPLAINT})


class RequestedAs(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization administrator")
    MEDIATOR = "mediator", _("Mediator of the case")
    INSTITUTION = "institution", _("Financial institution")


class EvaluationStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for an expert")
    APPOINTED = "appointed", _("Expert appointed, independence not yet declared")
    IN_PROGRESS = "in_progress", _("The expert is evaluating")
    REPORTED = "reported", _("Report delivered to the parties")
    CANCELLED = "cancelled", _("Cancelled")


# Not yet reported nor cancelled: one such evaluation per case at a time.
OPEN_STATUSES = frozenset(
    {EvaluationStatus.REQUESTED, EvaluationStatus.APPOINTED, EvaluationStatus.IN_PROGRESS}
)


class CancelCause(models.TextChoices):
    ORGANIZATION = "organization", _("Cancelled by the organization")
    CASE_ENDED = "case_ended", _("The case ended")
    TRANSFERRED = "transferred", _("The case went to another organization")


class Evaluation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evaluations"
    )
    ground = models.CharField(_("ground"), max_length=20, choices=EvaluationGround.choices)
    reason = models.TextField(_("reason for the request"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_as = models.CharField(_("requested as"), max_length=20, choices=RequestedAs.choices)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.REQUESTED,
    )
    # The report (a document of kind ``evaluation_report``; its versions are the drafts) and
    # the version delivered to the parties.
    report = models.ForeignKey(
        "documents.Document",
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("delivered version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_cause = models.CharField(
        _("cancelled because"), max_length=20, choices=CancelCause.choices, blank=True
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("neutral evaluation")
        verbose_name_plural = _("neutral evaluations")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["requested", "appointed", "in_progress"]),
                name="evaluation_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"evaluation {self.uuid} of case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppointmentStatus(models.TextChoices):
    AWAITING_DECLARATION = "awaiting_declaration", _("Independence declaration awaited")
    DECLARED = "declared", _("Independence declared")
    DECLINED = "declined", _("Declined by the expert")
    REPLACED = "replaced", _("Replaced")
    ENDED = "ended", _("Ended with the evaluation")


# An appointment that stands: at most one per evaluation.
LIVE_APPOINTMENT_STATUSES = frozenset(
    {AppointmentStatus.AWAITING_DECLARATION, AppointmentStatus.DECLARED}
)


class ExpertAppointment(models.Model):
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="expert_appointments",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("appointed at"), auto_now_add=True)
    # The written reason of an administrator who appointed despite a declared conflict, and
    # the relationships (``conflicts.Relationship`` ids) it overrode.
    override_reason = models.TextField(_("reason for overriding a conflict"), blank=True)
    overridden_relationships = models.JSONField(
        _("overridden relationships"), default=list, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.AWAITING_DECLARATION,
    )
    declaration = models.TextField(_("independence declaration"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("expert appointment")
        verbose_name_plural = _("expert appointments")
        ordering = ["evaluation_id", "appointed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(status__in=["awaiting_declaration", "declared"]),
                name="evaluation_one_live_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} of {self.expert_id} to {self.evaluation_id}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_APPOINTMENT_STATUSES
