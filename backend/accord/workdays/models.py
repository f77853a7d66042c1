"""Holiday data that administrators enter for years ``chinesecalendar`` does not cover.

The package (pinned in requirements.lock) carries the State Council's holiday notices up to
the year of its release. The notice for the next year comes out in the autumn, and deadlines
fall into that year before any package release knows it: a system administrator types it in
here (``services.calendar_year_enter``). ``periods`` reads both sources.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    # 放假: a day off that would otherwise be a working day (or a weekend inside the holiday).
    HOLIDAY = "holiday", _("holiday")
    # 调休上班: a Saturday or Sunday worked in exchange for a day off.
    WORKING_DAY = "working_day", _("adjusted working day")


class CalendarYear(models.Model):
    """One year's entered data: every holiday and adjusted working day of it is a
    :class:`CalendarDay`. Any other day of the year is a working day from Monday to Friday.
    Entering the year again replaces its days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    # Null when a system component (not a person) entered it; the trace names the component.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    # Unique across years: a date is said once (the service also keeps it inside its year).
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)  # e.g. 春节

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="workdays_day_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"
