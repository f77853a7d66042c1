"""Organizations of the mechanism and the memberships that give users roles (R1, R17)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.audit.models import TraceChain

org_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,15}$",
    _("2–16 capital letters or digits, starting with a letter (used in case numbers)."),
)


class OrgKind(models.TextChoices):
    PEOPLES_MEDIATION = "peoples_mediation", _("People's mediation committee")  # 人民调解委员会
    FINANCIAL_MEDIATION = (
        "financial_mediation",
        _("Professional financial dispute mediation organization"),  # 专业性金融纠纷调解组织
    )
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
    COURT = "court", _("Court")
    REGULATOR = "regulator", _("Financial regulator")  # 金融管理部门
    NOTARY_OFFICE = "notary_office", _("Notary office")
    ARBITRATION = "arbitration", _("Arbitration commission")


MEDIATION_KINDS = frozenset({OrgKind.PEOPLES_MEDIATION, OrgKind.FINANCIAL_MEDIATION})


class InstitutionSector(models.TextChoices):
    BANK = "bank", _("Bank")
    INSURANCE = "insurance", _("Insurer")
    SECURITIES = "securities", _("Securities firm")
    FUND = "fund", _("Fund manager")
    PAYMENT = "payment", _("Payment institution")
    OTHER = "other", _("Other financial institution")


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[org_code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Financial institutions only.
    sector = models.CharField(
        _("sector"), max_length=20, choices=InstitutionSector.choices, blank=True
    )
    # Mediation organizations only: who keeps the seal (R10 agreements are sealed).
    seal_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seal holder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    chain = models.OneToOneField(
        TraceChain, on_delete=models.PROTECT, null=True, blank=True, related_name="organization"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_mediation_org(self) -> bool:
        return self.kind in MEDIATION_KINDS


class RecordingStart(models.TextChoices):
    """When a hearing's recording starts (the recording notice every participant accepts says
    which)."""

    AUTO = "auto", _("By itself, when the first party is admitted")
    MEDIATOR = "mediator", _("When the mediator starts it")


class MediationRules(models.Model):
    """A mediation organization's internal rules (R1, R11): time limits by complexity."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="rules"
    )
    fee_free = models.BooleanField(_("fee-free mediation"), default=True)
    days_simple = models.PositiveIntegerField(_("time limit, simple cases (days)"), default=15)
    days_normal = models.PositiveIntegerField(_("time limit, normal cases (days)"), default=30)
    days_complex = models.PositiveIntegerField(_("time limit, complex cases (days)"), default=60)
    count_working_days = models.BooleanField(_("count working days only"), default=True)
    acceptance_days = models.PositiveIntegerField(_("days to accept or decline"), default=5)
    # The procedure's other periods, in working days (R4, R11).
    answer_days = models.PositiveIntegerField(
        _("working days for the institution to answer"), default=5
    )
    recusal_decision_days = models.PositiveIntegerField(
        _("working days to decide a recusal application"), default=3
    )
    transfer_decision_days = models.PositiveIntegerField(
        _("working days to accept or decline a transfer"), default=5
    )
    # Reminders to the mediator, this many working days before a deadline (comma-separated).
    reminder_days = models.CharField(
        _("remind the mediator (working days before a deadline)"), max_length=40, default="3,1"
    )
    # The admin roster flags a mediator for exit (R5) who took no case for this many days, or
    # whose last assessment scored below this.
    mediator_idle_days = models.PositiveIntegerField(
        _("flag mediators without a case for (days)"), default=365
    )
    mediator_min_score = models.PositiveIntegerField(
        _("flag mediators assessed below (score out of 100)"), default=60
    )
    # The default records every hearing from the first party's admission to its end; the
    # mediator may pause (with a reason) and resume.
    recording_start = models.CharField(
        _("recording starts"),
        max_length=12,
        choices=RecordingStart.choices,
        default=RecordingStart.AUTO,
    )
    # Whether caucus rooms (背对背) are recorded too; the plenary room always is while recording.
    record_caucus = models.BooleanField(_("record caucus rooms"), default=False)
    # Hearing recordings are deleted this many days after the hearing ended (unless on hold).
    recording_retention_days = models.PositiveIntegerField(
        _("keep hearing recordings (days)"), default=1825
    )

    class Meta:
        verbose_name = _("mediation rules")
        verbose_name_plural = _("mediation rules")

    def __str__(self) -> str:
        return f"rules of {self.organization.code}"


class ComplaintChannel(models.Model):
    """A financial institution's published complaint channel (R17)."""

    class Scope(models.TextChoices):
        INTERNAL = "internal", _("Internal (the institution's own)")
        EXTERNAL = "external", _("External (mediation, regulator)")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="complaint_channels"
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("complaint channel")
        verbose_name_plural = _("complaint channels")
        ordering = ["organization_id", "scope", "id"]

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.name}"


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INSTITUTION_STAFF = "institution_staff", _("Financial institution staff")
    MEDIATOR = "mediator", _("Mediator")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    EXPERT = "expert", _("Independent expert")
    COURT_CLERK = "court_clerk", _("Court clerk")
    REGULATOR_OFFICER = "regulator_officer", _("Regulator officer")
    NOTARY = "notary", _("Notary")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")


# Which organization kinds a role may be held in; None means "no organization".
ROLE_ORG_KINDS: dict[str, frozenset[str] | None] = {
    Role.APPLICANT: None,
    Role.INSTITUTION_STAFF: frozenset({OrgKind.FINANCIAL_INSTITUTION}),
    Role.MEDIATOR: MEDIATION_KINDS,
    Role.ORG_ADMIN: frozenset(OrgKind.values),
    Role.EXPERT: MEDIATION_KINDS,
    Role.COURT_CLERK: frozenset({OrgKind.COURT}),
    Role.REGULATOR_OFFICER: frozenset({OrgKind.REGULATOR}),
    Role.NOTARY: frozenset({OrgKind.NOTARY_OFFICE}),
    Role.AUDITOR: frozenset({*MEDIATION_KINDS, OrgKind.REGULATOR, OrgKind.COURT}),
    Role.SYSADMIN: None,
}

STAFF_ROLES = frozenset(set(Role.values) - {Role.APPLICANT})


class Membership(models.Model):
    """A user holds a role, in an organization where the role needs one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="orgs_membership_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(organization__isnull=True),
                name="orgs_membership_unique_without_org",
            ),
        ]

    def __str__(self) -> str:
        where = self.organization.code if self.organization else "-"
        return f"{self.user} {self.role}@{where}"

    def clean(self) -> None:
        """The ``ROLE_ORG_KINDS`` rule, for forms (the admin); services check it too."""
        kinds = ROLE_ORG_KINDS.get(self.role)
        if kinds is None and self.organization is not None:
            raise ValidationError({"organization": _("This role is held without an organization.")})
        if kinds is not None and self.organization is None:
            raise ValidationError({"organization": _("This role is held in an organization.")})
        if (
            kinds is not None
            and self.organization is not None
            and self.organization.kind not in kinds
        ):
            raise ValidationError(
                {"role": _("This role cannot be held in this kind of organization.")}
            )
