"""Consultations, cases, their numbering counters and their evidence (R2, R9).

Every write goes through :mod:`accord.cases.services`; nothing here changes
state on its own.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.audit.models import TraceChain
from accord.core.fields import EncryptedCharField, LookupHashField
from accord.orgs.models import Organization


class ApplicantType(models.TextChoices):
    """R9: the three kinds of party that may bring a dispute."""

    NATURAL_PERSON = "natural_person", _("Natural person")
    LEGAL_PERSON = "legal_person", _("Legal person")
    UNINCORPORATED = "unincorporated", _("Unincorporated organization")


class BusinessType(models.TextChoices):
    """The financial business a dispute arises from (a fixed list, R9)."""

    DEPOSIT = "deposit", _("Deposits")
    LOAN = "loan", _("Loans and credit")
    BANK_CARD = "bank_card", _("Bank and credit cards")
    WEALTH_MANAGEMENT = "wealth_management", _("Wealth management products")
    INSURANCE = "insurance", _("Insurance")
    SECURITIES = "securities", _("Securities")
    FUNDS = "funds", _("Funds")
    FUTURES = "futures", _("Futures")
    PAYMENT = "payment", _("Payment services")
    TRUST = "trust", _("Trusts")
    FINANCIAL_LEASING = "financial_leasing", _("Financial leasing")
    FINANCING_GUARANTEE = "financing_guarantee", _("Financing guarantees")
    OTHER_FINANCIAL = "other_financial", _("Other financial business")
    # Offered as a choice so that the applicant is told why such a dispute is
    # out of scope instead of being left to guess which item fits.
    NOT_FINANCIAL = "not_financial", _("Not financial business")


FINANCIAL_BUSINESS_TYPES = frozenset(set(BusinessType.values) - {BusinessType.NOT_FINANCIAL})


class DisputeNature(models.TextChoices):
    CIVIL_COMMERCIAL = "civil_commercial", _("Civil or commercial")
    ADMINISTRATIVE = "administrative", _("Administrative")
    CRIMINAL = "criminal", _("Criminal")


class IntakeChannel(models.TextChoices):
    """R9: the three ways a case reaches a mediation organization."""

    APPLICATION = "application", _("Party application")
    REGULATOR = "regulator", _("Assigned by a financial regulator")
    COURT = "court", _("Entrusted by a court")


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ASSIGNED = "assigned", _("Mediator assigned")
    MEDIATING = "mediating", _("Mediating")
    AGREEMENT = "agreement", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # The financial institution declined to mediate (mediation is voluntary): the case ends
    # without mediation and the applicant keeps every other route.
    NOT_MEDIATED = "not_mediated", _("Not mediated (the institution declined)")
    CLOSED = "closed", _("Closed")


class CaseComplexity(models.TextChoices):
    """Set when the organization accepts a case (R11): it selects the time limit."""

    SIMPLE = "simple", _("Simple")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class ConsultationTopic(models.TextChoices):
    """R2: the one-stop window's entries."""

    CONSULTATION = "consultation", _("Consultation")
    MEDIATION = "mediation", _("Mediation")
    NOTARIZATION = "notarization", _("Enforceable notarization")
    ARBITRATION = "arbitration", _("Financial arbitration")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CONVERTED = "converted", _("Turned into a case")


class Consultation(models.Model):
    """A question about a dispute (咨询). It may later become a case without retyping."""

    topic = models.CharField(_("topic"), max_length=20, choices=ConsultationTopic.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    respondent = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.PROTECT,
        related_name="consultations_as_respondent",
    )
    business_type = models.CharField(
        _("business type"), max_length=32, choices=BusinessType.choices
    )
    applicant_type = models.CharField(
        _("applicant type"),
        max_length=20,
        choices=ApplicantType.choices,
        default=ApplicantType.NATURAL_PERSON,
    )
    amount = models.DecimalField(
        _("amount in dispute (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("question"))
    contact_name = models.CharField(_("contact name"), max_length=150)
    # Encrypted at rest (accord.core.crypto).
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Null only between the row's insert and the chain's creation in the same
    # transaction: the chain key needs the row's id.
    chain = models.OneToOneField(
        TraceChain, on_delete=models.PROTECT, null=True, blank=True, related_name="consultation"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="cases_consultation_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"consultation {self.pk}"

    @property
    def chain_key(self) -> str:
        return f"consultation:{self.pk}"


class CaseCounter(models.Model):
    """The last case number issued by one mediation organization in one year.

    Locked with SELECT ... FOR UPDATE by the intake transaction, so numbers are
    issued one at a time and a rolled-back intake gives its number back.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="case_counters"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_seq = models.PositiveIntegerField(_("last sequence number"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="cases_counter_unique_org_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_seq}"


class Case(models.Model):
    """A mediation case. Its state changes only through the transition services."""

    case_no = models.CharField(_("case number"), max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    channel = models.CharField(_("intake channel"), max_length=20, choices=IntakeChannel.choices)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.SUBMITTED,
        db_index=True,
    )
    # The reason given with the latest transition (decline reason, outcome note).
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"))

    # The applicant's account, when they have one: regulator-assigned and
    # court-entrusted cases may name a party who never signed in.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_applicant",
    )
    applicant_type = models.CharField(
        _("applicant type"), max_length=20, choices=ApplicantType.choices
    )
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    # Encrypted at rest (accord.core.crypto); the phone is searched (erasure finds the cases
    # that name a person's number) through its lookup hash.
    applicant_phone = EncryptedCharField(_("contact phone"), max_length=20)
    applicant_phone_lookup = LookupHashField(source="applicant_phone", db_index=True)
    applicant_id_number = EncryptedCharField(_("ID card number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    representative = models.CharField(_("legal representative"), max_length=150, blank=True)

    respondent = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.PROTECT,
        related_name="cases_as_respondent",
    )
    business_type = models.CharField(
        _("business type"), max_length=32, choices=BusinessType.choices
    )
    dispute_nature = models.CharField(
        _("nature of the dispute"), max_length=20, choices=DisputeNature.choices
    )
    amount = models.DecimalField(
        _("amount in dispute (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # The financial product the dispute is about, as the applicant names it (a wealth
    # management product, a policy, a card): what the statistics and the early warning group
    # disputes by beside the business type (R16). Optional; compared normalized.
    product = models.CharField(_("financial product"), max_length=200, blank=True)
    description = models.TextField(_("facts of the dispute"))
    claims = models.TextField(_("what the applicant asks for"), blank=True)

    consultation = models.OneToOneField(
        Consultation,
        verbose_name=_("from consultation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Regulator assignment (金融管理机构指派).
    referred_by = models.ForeignKey(
        Organization,
        verbose_name=_("assigning regulator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_referred",
    )
    regulator_reference = models.CharField(_("complaint reference"), max_length=64, blank=True)

    # Court entrustment (人民法院委托). R11: the mediation period starts on the
    # day the organization signs for the court's materials.
    court = models.ForeignKey(
        Organization,
        verbose_name=_("entrusting court"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_entrusted",
    )
    court_case_no = models.CharField(_("court case number"), max_length=64, blank=True)
    entrusted_on = models.DateField(_("entrusted on"), null=True, blank=True)
    materials_signed_on = models.DateField(_("materials signed for on"), null=True, blank=True)

    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_mediator",
    )
    # Blank until the organization accepts the case (``case_accept`` sets it); changed only
    # with a reason (``case_set_complexity``).
    complexity = models.CharField(
        _("complexity"), max_length=10, choices=CaseComplexity.choices, blank=True
    )
    chain = models.OneToOneField(TraceChain, on_delete=models.PROTECT, related_name="case")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        # No unique (organization, year, seq): ``organization`` is the organization handling
        # the case, which a transfer changes while the case keeps its number (``case_no``,
        # unique, names the organization that issued it).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="cases_case_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="court")
                | (models.Q(court__isnull=False) & models.Q(entrusted_on__isnull=False)),
                name="cases_case_court_channel_names_court",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="regulator") | models.Q(referred_by__isnull=False),
                name="cases_case_regulator_channel_names_regulator",
            ),
        ]
        # The oversight figures (accord.analytics.figures) select a scope's cases received in
        # a period: by respondent, assigning regulator, entrusting court or none (the system
        # scope), then by creation time. Not by handling organization: on the benchmark's
        # million cases (bench/oversight.py, docs/performance.md) the organization's plans got
        # slower with (organization, created_at), as with (action, occurred_at) on events.
        indexes = [
            models.Index(fields=["respondent", "created_at"], name="cases_ov_resp_created"),
            models.Index(
                fields=["referred_by", "created_at"],
                condition=models.Q(referred_by__isnull=False),
                name="cases_ov_reg_created",
            ),
            models.Index(
                fields=["court", "created_at"],
                condition=models.Q(court__isnull=False),
                name="cases_ov_court_created",
            ),
            models.Index(fields=["created_at"], name="cases_ov_created"),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def chain_key(self) -> str:
        return f"case:{self.case_no}"


class Material(models.Model):
    """A file a party or staff member added to the case (案件材料), stored in object storage.
    Written only after the upload succeeded."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField(_("file name"), max_length=255)
    # Detected from the bytes, never taken from the name or the client's header.
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    bucket = models.CharField(_("bucket"), max_length=63)
    object_key = models.CharField(_("object key"), max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.object_key})"

    @property
    def kind_label(self) -> str:
        """What the file is, in words ("PDF document"), for people rather than MIME types."""
        return str(FILE_KIND_LABELS.get(self.content_type, _("File")))


class AnswerDecision(models.TextChoices):
    AGREE = "agree", _("Agrees to mediate")
    DECLINE = "decline", _("Declines to mediate")


class RespondentAnswer(models.Model):
    """The financial institution's answer to an accepted case (mediation is voluntary):
    whether it agrees to mediate, why not if it declines, and its position. Its own
    evidence is the case's materials its staff uploaded. Written once, by
    ``services.answers``."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="answer")
    decision = models.CharField(_("decision"), max_length=10, choices=AnswerDecision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    position = models.TextField(_("the institution's position"), blank=True)
    evidence = models.ManyToManyField(
        Material, verbose_name=_("evidence"), blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("institution's answer")
        verbose_name_plural = _("institutions' answers")

    def __str__(self) -> str:
        return f"answer to {self.case_id}: {self.decision}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving organization")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class CaseTransfer(models.Model):
    """A transfer (转办) of a case to another mediation organization, or back to the
    regulator that assigned it. The case keeps its number and its chain; these rows are
    its history of organizations. Written by ``services.transfers``."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        Organization,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organization = models.ForeignKey(
        Organization, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="cases_transfer_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_organization_id} -> {self.to_organization_id}"


FILE_KIND_LABELS = {
    "application/pdf": _("PDF document"),
    "image/jpeg": _("JPEG image"),
    "image/png": _("PNG image"),
    "audio/mpeg": _("MP3 audio"),
    "audio/x-wav": _("WAV audio"),
    "audio/wav": _("WAV audio"),
    "video/mp4": _("MP4 video"),
}
