"""What happens after a mediation (R13, R14, R15): performing a sealed agreement, its judicial
confirmation, its notarization, and the failure notice with the referral of a failed case.

Every write goes through :mod:`accord.outcomes.services`, each with its trace event on the
case's chain. The rows keep people's words (notes, reasons, the guarantor's name); the trace
commits to them by their SHA-256 or a sealed value.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case, Material
from accord.orgs.models import Organization


class Side(models.TextChoices):
    """The two sides of a case, as the agreement's fields name them."""

    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Financial institution")


class SealedAgreement(models.Model):
    """A mediation agreement that took effect: its version was sealed by the organization
    (人民调解法 art. 29: effective once signed by the parties and the mediator and sealed).
    Written by the seal hook (``services.performance.performance_open``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sealed_agreements")
    version = models.OneToOneField(
        "documents.DocumentVersion",
        verbose_name=_("agreement version"),
        on_delete=models.PROTECT,
        related_name="sealed_agreement",
    )
    effective_on = models.DateField(_("effective on"))
    # The last day to apply for judicial confirmation (30 days after it took effect).
    confirmation_due_on = models.DateField(_("judicial confirmation applied for by"))
    confirmation_due_provisional = models.BooleanField(default=False)
    immediate_performance = models.BooleanField(_("performed immediately"), default=False)
    consequences_notified_at = models.DateTimeField(
        _("told the consequences of not performing at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement in effect")
        verbose_name_plural = _("agreements in effect")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"agreement {self.version_id} of case {self.case_id}"


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("To be performed")
    PERFORMED = "performed", _("Performed")


class Obligation(models.Model):
    """One obligation of a sealed agreement: who performs what for whom by when."""

    agreement = models.ForeignKey(
        SealedAgreement, on_delete=models.PROTECT, related_name="obligations"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="obligations")
    # Its place in the agreement's list (1, 2, ...).
    position = models.PositiveIntegerField(_("item"))
    obligor = models.CharField(_("performed by"), max_length=12, choices=Side.choices)
    obligee = models.CharField(_("performed for"), max_length=12, choices=Side.choices)
    what = models.TextField(_("what"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ObligationStatus.choices,
        default=ObligationStatus.PENDING,
        db_index=True,
    )
    # Recorded as performed when the agreement took effect (即时履行, written in the record).
    immediate = models.BooleanField(_("performed immediately"), default=False)
    performed_at = models.DateTimeField(_("performance confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmation_note = models.TextField(_("note"), blank=True)
    # The "N working days before" reminders already sent, e.g. [3, 1].
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged as overdue at"), null=True, blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["agreement_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "position"], name="outcomes_obligation_position_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(obligor=models.F("obligee")),
                name="outcomes_obligation_between_sides",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="outcomes_obligation_amount_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="outcomes_obligation_due")]

    def __str__(self) -> str:
        return f"obligation {self.position} of agreement {self.agreement_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == ObligationStatus.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and timezone.localdate() > self.due_on


class ConfirmationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", _("Waiting for the other party to join")
    FILED = "filed", _("Filed with the court")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    REJECTED = "rejected", _("Rejected by the court")


class ConfirmationApplication(models.Model):
    """The parties' joint application to the competent court to confirm a sealed agreement
    (司法确认, 民事诉讼法 art. 205: jointly, within 30 days after it took effect). Filed with
    its package once both sides joined; a clerk of that court records the ruling."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="confirmation_applications"
    )
    agreement = models.OneToOneField(
        SealedAgreement, on_delete=models.PROTECT, related_name="confirmation"
    )
    court = models.ForeignKey(
        Organization,
        verbose_name=_("court"),
        on_delete=models.PROTECT,
        related_name="confirmation_applications",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.AWAITING_CONSENT,
        db_index=True,
    )
    # The statement of both parties (document kind ``confirmation_application``), drafted when
    # the first side applies; the other side joins on exactly this version.
    statement = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    applicant_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_consent_at = models.DateTimeField(null=True, blank=True)
    institution_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution_consent_at = models.DateTimeField(null=True, blank=True)
    # The application package (a zip in the documents bucket), once filed.
    package_bucket = models.CharField(max_length=63, blank=True)
    package_key = models.CharField(max_length=255, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    package_size = models.PositiveBigIntegerField(null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    # The court's ruling (民事裁定书).
    ruling_no = models.CharField(_("ruling number"), max_length=100, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_on = models.DateField(_("ruled on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("judicial confirmation application")
        verbose_name_plural = _("judicial confirmation applications")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"confirmation {self.uuid} ({self.status})"

    def consent_of(self, side: Side | str) -> tuple[object, object]:
        """(by, at) of ``side``'s consent."""
        if side == Side.APPLICANT:
            return self.applicant_consent_by, self.applicant_consent_at
        return self.institution_consent_by, self.institution_consent_at


class NotarizationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", _("Waiting for every party's consent")
    REFERRED = "referred", _("Referred to the notary office")
    NOTARIZED = "notarized", _("Notarized with enforcement effect")
    REFUSED = "refused", _("Refused by the notary office")


class NotarizationRequest(models.Model):
    """A request to have a sealed agreement notarized with compulsory enforcement effect
    (赋强公证, R15): the creditor, the debtor and the guarantor (a named third party without an
    account; the mediator records their written consent) must all consent; the organization
    then refers it to a notary office, whose notary records the outcome."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notarization_requests")
    agreement = models.OneToOneField(
        SealedAgreement, on_delete=models.PROTECT, related_name="notarization"
    )
    notary_office = models.ForeignKey(
        Organization,
        verbose_name=_("notary office"),
        on_delete=models.PROTECT,
        related_name="notarization_requests",
    )
    creditor = models.CharField(_("creditor"), max_length=12, choices=Side.choices)
    guarantor_name = models.CharField(_("guarantor"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NotarizationStatus.choices,
        default=NotarizationStatus.AWAITING_CONSENT,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    applicant_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_consent_at = models.DateTimeField(null=True, blank=True)
    institution_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution_consent_at = models.DateTimeField(null=True, blank=True)
    # The guarantor signs a written consent; the mediator records it (optionally naming the
    # case material that holds it).
    guarantor_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guarantor_consent_at = models.DateTimeField(null=True, blank=True)
    guarantor_consent_material = models.ForeignKey(
        Material, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("referral letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    certificate_no = models.CharField(_("notarial certificate number"), max_length=100, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notarization request")
        verbose_name_plural = _("notarization requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"notarization {self.uuid} ({self.status})"

    @property
    def debtor(self) -> str:
        return Side.RESPONDENT if self.creditor == Side.APPLICANT else Side.APPLICANT

    @property
    def has_guarantor(self) -> bool:
        return bool(self.guarantor_name)


class FailureRoute(models.TextChoices):
    ARBITRATION = "arbitration", _("Arbitration")
    LITIGATION = "litigation", _("Litigation")


class MediationFailure(models.Model):
    """A mediation that ended without agreement (failed or terminated): the failure notice
    with the organization's professional advice and the routes open to the parties (R10),
    then the referral to arbitration or litigation, with the litigation green channel
    (诉讼绿色通道, R14) when the case goes to a court that offers one."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="failure")
    notice = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("failure notice"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    advice = models.TextField(_("professional advice"))
    # The routes the notice tells the parties about (FailureRoute values).
    routes = models.JSONField(_("routes"), default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    route = models.CharField(
        _("referred to"), max_length=12, choices=FailureRoute.choices, blank=True
    )
    referred_to = models.ForeignKey(
        Organization,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="failure_referrals",
    )
    referral_note = models.TextField(_("note"), blank=True)
    green_channel = models.BooleanField(_("litigation green channel"), default=False)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed mediation")
        verbose_name_plural = _("failed mediations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(green_channel=True) | models.Q(route="litigation"),
                name="outcomes_green_channel_litigation_only",
            ),
        ]

    def __str__(self) -> str:
        return f"failure of case {self.case_id}"

    @property
    def is_referred(self) -> bool:
        return bool(self.route)
