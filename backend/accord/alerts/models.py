"""Early warning (R14, R16, R17): surges of disputes against one series' own baseline and
clusters of near-duplicate applications that look like a group dispute (群体性纠纷).

The rules are in :mod:`accord.alerts.detection` (pure functions) and documented in
``docs/early-warning.md``. Every write goes through :mod:`accord.alerts.services` and is traced
on the system-wide chain ``system:alerts``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import BusinessType, Case
from accord.orgs.models import Organization


class AlertKind(models.TextChoices):
    SURGE = "surge", _("Surge of disputes")
    GROUP = "group", _("Possible group dispute")


class SeriesKind(models.TextChoices):
    """Which series a surge alert watches (a group alert's series is always the respondent and
    the product)."""

    INSTITUTION = "institution", _("Institution")
    INSTITUTION_PRODUCT = "institution_product", _("Institution and product")
    BUSINESS_TYPE = "business_type", _("Business type")
    RESPONDENT_PRODUCT = "respondent_product", _("Respondent and product")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    """One warning about one series. While it is not closed a new scan updates it (new cases,
    new figures) instead of raising a second one: ``series_key`` is unique among the alerts that
    are open or acknowledged."""

    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    series = models.CharField(_("series"), max_length=24, choices=SeriesKind.choices)
    # Identifies the series: kind, series, region, respondent id, business type, product key.
    series_key = models.CharField(_("series key"), max_length=400, db_index=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    respondent = models.ForeignKey(
        Organization,
        verbose_name=_("financial institution"),
        on_delete=models.PROTECT,
        related_name="alerts",
        null=True,
        blank=True,
    )
    business_type = models.CharField(_("business type"), max_length=30, blank=True)
    # The product normalized (NFKC, casefold, no spaces), and as first written, for display.
    product_key = models.CharField(_("product key"), max_length=200, blank=True)
    product = models.CharField(_("financial product"), max_length=200, blank=True)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    observed = models.PositiveIntegerField(_("cases observed"), default=0)
    expected = models.FloatField(_("cases expected"), null=True, blank=True)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    similarity = models.FloatField(_("least similarity"), null=True, blank=True)
    parameters = models.JSONField(_("rule parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), related_name="alerts", blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series_key"],
                condition=~models.Q(status="closed"),
                name="alerts_one_unclosed_alert_per_series",
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="alerts_window_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "-detected_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def business_type_label(self) -> str:
        if self.business_type in BusinessType.values:
            return str(BusinessType(self.business_type).label)
        return self.business_type

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == AlertStatus.CLOSED
