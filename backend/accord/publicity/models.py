"""The typical-case library (R14) and the organizations' outreach events (R18).

A ``TypicalCase`` is drafted from one closed case: its texts are the case's texts run through
``accord.publicity.anonymize``; an administrator of the case's organization reviews them side
by side with the original and publishes them. Only ``published`` rows are ever shown to the
public (``selectors.published_cases``). ``search_document`` holds the PostgreSQL full-text
document (CJK bigrams, see ``accord.publicity.search``); it stays empty on SQLite.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import BusinessType, Case
from accord.orgs.models import Organization


class TypicalCaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TypicalCase(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="typical_cases"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="typical_cases",
    )
    title = models.CharField(_("title"), max_length=200)
    business_type = models.CharField(
        _("business type"), max_length=32, choices=BusinessType.choices
    )
    facts = models.TextField(_("facts (anonymized)"))
    claims = models.TextField(_("claims (anonymized)"), blank=True)
    course = models.TextField(_("course and outcome of the mediation (anonymized)"), blank=True)
    lessons = models.TextField(_("lessons (typical significance)"), blank=True)
    judgment_facts = models.TextField(_("model judgment: fact-finding"), blank=True)
    judgment_standard = models.TextField(_("model judgment: legal standard"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TypicalCaseStatus.choices,
        default=TypicalCaseStatus.DRAFT,
        db_index=True,
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason of the withdrawal"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PostgreSQL only (the GIN index is created by migration 0002 on PostgreSQL alone).
    search_document = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["-published_at", "-drafted_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == TypicalCaseStatus.PUBLISHED

    def texts(self) -> dict[str, str]:
        """The texts the public sees (checked for identifiers before publishing)."""
        return {
            "title": self.title,
            "facts": self.facts,
            "claims": self.claims,
            "course": self.course,
            "lessons": self.lessons,
            "judgment_facts": self.judgment_facts,
            "judgment_standard": self.judgment_standard,
        }


class EventKind(models.TextChoices):
    OPEN_DAY = "open_day", _("Open day")
    OUTREACH = "outreach", _("Outreach event")


class OutreachEvent(models.Model):
    """An open day or outreach event (R18), public once ``published`` and not cancelled."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="outreach_events",
    )
    title = models.CharField(_("title"), max_length=200)
    event_kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    registration = models.TextField(_("how to register"), blank=True)
    registration_url = models.URLField(_("registration web address"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published and self.cancelled_at is None
