"""The financial institution's side of R17: the local mediation organizations it works with
(``MediationContact``) and the mediation-first (先行调解) clauses of its contracts
(``MediationFirstClause``). Its complaint channels are ``orgs.ComplaintChannel``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import BusinessType
from accord.orgs.models import Organization


class MediationContact(models.Model):
    """A mediation organization the institution sends its customers to, with the desk that
    answers them. The contact person's name and phone are kept here only (never traced)."""

    institution = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.CASCADE,
        related_name="mediation_contacts",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    desk = models.CharField(_("contact desk"), max_length=200)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mediation contact")
        verbose_name_plural = _("mediation contacts")
        ordering = ["institution_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.institution_id}→{self.organization_id}: {self.desk}"


class ClauseStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MediationFirstClause(models.Model):
    """A mediation-first (先行调解) clause in one of the institution's contracts or products."""

    institution = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.CASCADE,
        related_name="mediation_first_clauses",
    )
    contract = models.CharField(_("contract or product"), max_length=200)
    business_type = models.CharField(
        _("business type"), max_length=32, choices=BusinessType.choices
    )
    text = models.TextField(_("clause text"))
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization named"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ClauseStatus.choices, default=ClauseStatus.IN_FORCE
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mediation-first clause")
        verbose_name_plural = _("mediation-first clauses")
        ordering = ["institution_id", "-effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="institutions_clause_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.contract}"
