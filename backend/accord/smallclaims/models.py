"""The small-claim fast track (R8, 小额纠纷快速解决机制): memoranda between a mediation
organization and a financial institution, and the mediator's proposals (小额调解建议) on the
cases they cover.

Every write goes through :mod:`accord.smallclaims.services`: memoranda are traced on the
mediation organization's chain (``org:<CODE>``), proposals on the case's chain.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case
from accord.documents.models import Document, DocumentVersion
from accord.orgs.models import Organization


class Memorandum(models.Model):
    """A memorandum (备忘录) of the small-claim fast track: for the disputes of the listed
    categories (the cases' business types and natures of dispute) with an amount in dispute up
    to ``threshold`` yuan, brought against ``institution`` to ``organization`` while the
    memorandum is valid, the mediator may propose a resolution the consumer accepts or refuses.
    Periods of two memoranda of the same pair never overlap (the services refuse it), so a case
    is covered by one memorandum at most."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="smallclaim_memoranda",
    )
    institution = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.PROTECT,
        related_name="smallclaim_memoranda_signed",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    # The compensation threshold (赔偿限额), in yuan.
    threshold = models.DecimalField(
        _("compensation threshold (yuan)"), max_digits=16, decimal_places=2
    )
    # ``cases.models.BusinessType`` values (never ``not_financial``) and ``DisputeNature``
    # values: a case is in the memorandum's categories when both of its own are listed.
    business_types = models.JSONField(_("business types"), default=list)
    dispute_natures = models.JSONField(_("natures of dispute"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    signed_on = models.DateField(_("signed on"))
    # The applicant answers a proposal within this many working days after it was issued.
    answer_days = models.PositiveSmallIntegerField(
        _("working days for the applicant to answer a proposal"), default=5
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("small-claim memorandum")
        verbose_name_plural = _("small-claim memoranda")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0),
                name="smallclaims_memorandum_threshold_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="smallclaims_memorandum_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(answer_days__gte=1),
                name="smallclaims_memorandum_answer_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"memorandum {self.pk}: {self.organization_id}/{self.institution_id}"


class GroundKind(models.TextChoices):
    """What a proposal's ground is (R8: law, regulation, judicial interpretation, practice)."""

    LAW = "law", _("Law")
    ADMINISTRATIVE_REGULATION = "administrative_regulation", _("Administrative regulation")
    JUDICIAL_INTERPRETATION = "judicial_interpretation", _("Judicial interpretation")
    INDUSTRY_PRACTICE = "industry_practice", _("Industry practice")


class ProposalStatus(models.TextChoices):
    ISSUED = "issued", _("Waiting for the applicant's answer")
    ACCEPTED = "accepted", _("Accepted: binding on every party")
    REFUSED = "refused", _("Refused: kept as a third-party opinion")
    LAPSED = "lapsed", _("Not answered in time: kept as a third-party opinion")
    # The mediation ended (withdrawn, failed, terminated, another outcome) before the answer.
    CANCELLED = "cancelled", _("Cancelled: the mediation ended before an answer")


class Proposal(models.Model):
    """The mediator's small-claim proposal (小额调解建议) on a case within a memorandum.

    What the proposal relied on is kept with it (the memorandum's threshold and the answer
    period as they were when it was issued), so that a later change of the memorandum changes
    nothing of it. Refused or lapsed, it binds nobody and stays readable as a third-party
    opinion; accepted, the agreement generated from its terms goes to signing."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="smallclaim_proposals")
    number = models.PositiveSmallIntegerField(_("number"))
    memorandum = models.ForeignKey(
        Memorandum, verbose_name=_("memorandum"), on_delete=models.PROTECT, related_name="proposals"
    )
    threshold = models.DecimalField(
        _("threshold when issued (yuan)"), max_digits=16, decimal_places=2
    )
    # The compensation the institution pays the applicant, in yuan.
    amount = models.DecimalField(_("proposed amount (yuan)"), max_digits=16, decimal_places=2)
    facts = models.TextField(_("main facts"))
    dispute = models.TextField(_("what is in dispute"))
    terms = models.TextField(_("proposed terms"))
    # The institution pays within this many days of the applicant's acceptance (calendar days,
    # a last day off moving to the next working day).
    pay_within_days = models.PositiveSmallIntegerField(_("payment within (days of acceptance)"))
    # [{"kind": GroundKind value, "citation": "《消费者权益保护法》第…条"}, ...]
    grounds = models.JSONField(_("grounds"), default=list)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.ISSUED,
        db_index=True,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    # Counted on the working-day calendar from the day it was issued (not counted).
    answer_days = models.PositiveSmallIntegerField(_("working days to answer"))
    answer_due_on = models.DateField(_("answer due by"))
    answer_due_provisional = models.BooleanField(_("due date provisional"), default=False)
    reminded_at = models.DateTimeField(_("applicant reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The applicant's reasons for refusing (optional); the trace keeps its SHA-256.
    refusal_reason = models.TextField(_("reasons for refusing"), blank=True)
    # The proposal as rendered (kind ``smallclaim_proposal``): the version the applicant saw.
    document_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("proposal document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The agreement generated on acceptance (kind ``agreement``), sent to signing.
    agreement = models.ForeignKey(
        Document,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("small-claim proposal")
        verbose_name_plural = _("small-claim proposals")
        ordering = ["case_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="smallclaims_proposal_number"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="issued"),
                name="smallclaims_one_issued_proposal",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="accepted"),
                name="smallclaims_one_accepted_proposal",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="smallclaims_proposal_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__lte=models.F("threshold")),
                name="smallclaims_proposal_within_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"proposal {self.number} of case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.ISSUED

    @property
    def binds_nobody(self) -> bool:
        """Refused or lapsed: a third-party opinion, binding on nobody."""
        return self.status in (ProposalStatus.REFUSED, ProposalStatus.LAPSED)
