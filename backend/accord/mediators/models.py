"""The mediator roster (R3, R5): profiles, qualifications, status, assessment, rewards and
penalties, training, court legal guidance, and the parties' feedback on closed cases.

Every write goes through :mod:`accord.mediators.services` (and its sibling modules), each
traced on the organization's chain (``orgs.services.org_chain``); a party's feedback is traced
on the case's chain.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case
from accord.orgs.models import Membership, Organization


class MediatorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")


class Specialty(models.TextChoices):
    BANKING = "banking", _("Banking")
    INSURANCE = "insurance", _("Insurance")
    SECURITIES = "securities", _("Securities")
    PAYMENTS = "payments", _("Payments")
    FUNDS = "funds", _("Funds")
    FUTURES = "futures", _("Futures")
    TRUSTS = "trusts", _("Trusts")
    OTHER = "other", _("Other financial business")


class QualificationKind(models.TextChoices):
    FINANCE = "finance", _("Finance")
    LAW = "law", _("Law")


class MediatorProfile(models.Model):
    """What the roster shows of one mediator membership. The name comes from the account."""

    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="mediator_profile"
    )
    specialties = models.JSONField(_("specialties"), default=list)
    years_of_experience = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MediatorStatus.choices, default=MediatorStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # The optional photo, in object storage (S3_BUCKET_DOCUMENTS); "" when none.
    photo_key = models.CharField(max_length=255, blank=True)
    photo_content_type = models.CharField(max_length=100, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mediator profile")
        verbose_name_plural = _("mediator profiles")
        ordering = ["membership__organization__code", "membership__user__display_name", "id"]

    def __str__(self) -> str:
        return f"profile of membership {self.membership_id}"

    @property
    def public_name(self) -> str:
        """The name the roster shows: the account's display name, never its username."""
        user = self.membership.user
        if user.display_name and user.erased_at is None:
            return user.display_name
        return str(_("Mediator %(id)s") % {"id": self.pk})

    @property
    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels.get(value, value)) for value in self.specialties]


class Qualification(models.Model):
    profile = models.ForeignKey(
        MediatorProfile, on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QualificationKind.choices)
    title = models.CharField(_("qualification"), max_length=200)
    certificate_no = models.CharField(_("certificate number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["kind", "issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.certificate_no}"


class StatusChange(models.Model):
    """One change of a mediator's status (suspension, reinstatement, exit), with its reason."""

    profile = models.ForeignKey(
        MediatorProfile, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=MediatorStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=MediatorStatus.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Assessment(models.Model):
    """A periodic assessment, with the case figures it was made on (a snapshot)."""

    profile = models.ForeignKey(
        MediatorProfile, on_delete=models.PROTECT, related_name="assessments"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comments = models.TextField(_("comments"), blank=True)
    figures = models.JSONField(_("case figures"), default=dict)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-period_end", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                name="mediators_assessment_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"assessment {self.pk}: {self.score}"


class SanctionKind(models.TextChoices):
    REWARD = "reward", _("Reward")
    PENALTY = "penalty", _("Penalty")


class RewardPenalty(models.Model):
    profile = models.ForeignKey(
        MediatorProfile, on_delete=models.PROTECT, related_name="rewards_penalties"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SanctionKind.choices)
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.decided_on}"


class TrainingKind(models.TextChoices):
    REGULAR = "regular", _("Regular training")
    LEARNING_BY_MEDIATING = "learning_by_mediating", _("Learning by mediating")  # 以案代训
    CASE_STUDY = "case_study", _("Case study")
    OBSERVATION = "observation", _("Observation")


class TrainingRecord(models.Model):
    profile = models.ForeignKey(MediatorProfile, on_delete=models.PROTECT, related_name="trainings")
    kind = models.CharField(_("kind"), max_length=24, choices=TrainingKind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    provider = models.CharField(_("provider"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class GuidanceSession(models.Model):
    """A court's legal guidance session for the organization's mediators (R5)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="guidance_sessions"
    )
    date = models.DateField(_("date"))
    court = models.CharField(_("court"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    attendees = models.ManyToManyField(
        MediatorProfile, verbose_name=_("attendees"), related_name="guidance_sessions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("legal guidance session")
        verbose_name_plural = _("legal guidance sessions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"guidance {self.date}"


class FeedbackSide(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INSTITUTION = "institution", _("Financial institution")


class Feedback(models.Model):
    """A party side's feedback on a closed case: opened when the case closes, answered once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="feedback")
    side = models.CharField(_("party"), max_length=12, choices=FeedbackSide.choices)
    # The case's mediator when it closed (the assessment figures count feedback by it).
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    fair = models.BooleanField(_("fair and impartial"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("party feedback")
        verbose_name_plural = _("party feedback")
        ordering = ["case_id", "side"]
        constraints = [
            models.UniqueConstraint(fields=["case", "side"], name="mediators_feedback_once"),
        ]

    def __str__(self) -> str:
        return f"feedback {self.case_id}/{self.side}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
