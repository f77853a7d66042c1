"""Time limits of a case (R11) and their extensions.

A ``Deadline`` stores everything its due date is computed from (the day the period starts,
how it counts, its length, the days extensions added), so that it can be recomputed when the
working-day calendar changes or the case's complexity does. Every write goes through
:mod:`accord.deadlines.services` or :mod:`accord.deadlines.extensions`, each with its trace
event on the case's chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case


class DeadlineKind(models.TextChoices):
    ANSWER = "answer", _("The institution's answer")
    MEDIATION = "mediation", _("Mediation period")
    COURT_MEDIATION = "court_mediation", _("Court-entrusted mediation period")
    # Opened by the apps that own those procedures (conflicts, transfers), through
    # ``services.deadline_open`` with a ``subject`` naming the application or transfer.
    RECUSAL_DECISION = "recusal_decision", _("Decision on a recusal application")
    TRANSFER_DECISION = "transfer_decision", _("Decision on a transfer")
    # Opened by courts when an entrusted mediation ends: the feedback letter and the return
    # of the court's materials (3 working days).
    COURT_FEEDBACK = "court_feedback", _("Feedback letter to the court")


class DayCount(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Running")
    MET = "met", _("Met")
    # What the period was for happened (or the case closed) only after the period ended.
    MISSED = "missed", _("Missed (closed after the limit)")
    CANCELLED = "cancelled", _("Cancelled")


class Deadline(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=32, choices=DeadlineKind.choices)
    # What the deadline is about when a case can have several of a kind ("recusal:12"); ""
    # for the case's own periods.
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    # The period starts on this day, which is not counted (期间开始的日不计算在期间内).
    starts_on = models.DateField(_("starts on"))
    count = models.CharField(_("counted in"), max_length=10, choices=DayCount.choices)
    length_days = models.PositiveIntegerField(_("length (days)"))
    extension_days = models.PositiveIntegerField(_("extension granted (days)"), default=0)
    # The end of this day, counting ``length_days + extension_days`` from ``starts_on``.
    due_on = models.DateField(_("due on"))
    # The due date was counted on a year no calendar covers (weekends only): it may move.
    provisional = models.BooleanField(_("provisional"), default=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.OPEN,
        db_index=True,
    )
    # When what the period was for happened (met, or missed: late).
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The "N working days before" reminders already sent, e.g. [3, 1].
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "subject"],
                condition=models.Q(status="open"),
                name="deadlines_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(length_days__gte=1), name="deadlines_length_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="deadlines_open_due")]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id}: {self.due_on}"

    @property
    def total_days(self) -> int:
        return self.length_days + self.extension_days

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the parties' consent")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Refused by a party")


class ConsentParty(models.TextChoices):
    """The parties whose consent an extension needs (``cases.states.Party`` values)."""

    APPLICANT = "applicant", _("Applicant")
    INSTITUTION = "institution", _("Financial institution")


class DeadlineExtension(models.Model):
    """A request to extend a deadline by ``days``, applied only with every party's consent."""

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="extensions")
    days = models.PositiveIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"],
                condition=models.Q(status="pending"),
                name="deadlines_one_pending_extension",
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1), name="deadlines_extension_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.days} days for deadline {self.deadline_id}"


class ExtensionConsent(models.Model):
    """One party's answer to an extension: consent or refusal, by a person of that party."""

    extension = models.ForeignKey(
        DeadlineExtension, on_delete=models.PROTECT, related_name="consents"
    )
    party = models.CharField(_("party"), max_length=12, choices=ConsentParty.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    consents = models.BooleanField(_("consents"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent to an extension")
        verbose_name_plural = _("consents to extensions")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["extension", "party"], name="deadlines_one_answer_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {'consents' if self.consents else 'refuses'}"
