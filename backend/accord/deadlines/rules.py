"""Which period applies to a case (R11): where each deadline starts, how it counts, how long.

- The institution's answer: ``MediationRules.answer_days`` working days from acceptance.
- The mediation period of a self-applied or regulator-assigned case: the organization's limit
  for the case's complexity (``days_simple`` / ``days_normal`` / ``days_complex``), in working
  days or calendar days as ``count_working_days`` says, from acceptance.
- The mediation period of a court-entrusted case: the court's period
  (``ACCORD_COURT_MEDIATION_DAYS`` calendar days unless the court set another for the case),
  from the day the organization signed for the court's materials (``Case.materials_signed_on``).

The day a period starts on is not counted; ``accord.workdays.periods`` does the counting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accord.cases.models import Case, CaseComplexity, IntakeChannel
from accord.deadlines.models import DayCount, Deadline, DeadlineKind
from accord.orgs.models import MediationRules
from accord.workdays.periods import Due, WorkdayCalendar, add_calendar_days, add_working_days


@dataclass(frozen=True, slots=True)
class Period:
    starts_on: dt.date
    count: DayCount
    length_days: int


def rules_of(case: Case) -> MediationRules:
    """The organization's rules (the defaults when it has none stored)."""
    return MediationRules.objects.filter(organization_id=case.organization_id).first() or (
        MediationRules(organization_id=case.organization_id)
    )


def court_mediation_days() -> int:
    return int(settings.ACCORD_COURT_MEDIATION_DAYS)


def accepted_on(case: Case) -> dt.date:
    """The local day the case was accepted (called in the acceptance's transaction)."""
    return timezone.localdate(case.state_changed_at)


def answer_period(case: Case, *, starts_on: dt.date) -> Period:
    return Period(starts_on, DayCount.WORKING, rules_of(case).answer_days)


def mediation_length(case: Case, rules: MediationRules | None = None) -> tuple[DayCount, int]:
    """The organization's limit for the case's complexity (normal when none is set)."""
    rules = rules or rules_of(case)
    complexity = case.complexity or CaseComplexity.NORMAL
    days = {
        CaseComplexity.SIMPLE: rules.days_simple,
        CaseComplexity.NORMAL: rules.days_normal,
        CaseComplexity.COMPLEX: rules.days_complex,
    }[CaseComplexity(complexity)]
    return (DayCount.WORKING if rules.count_working_days else DayCount.CALENDAR), days


def mediation_period(case: Case, *, starts_on: dt.date) -> Period:
    count, days = mediation_length(case)
    return Period(starts_on, count, days)


def court_period(case: Case) -> Period | None:
    """The court's period, or ``None`` while the materials are not signed for."""
    if case.channel != IntakeChannel.COURT or case.materials_signed_on is None:
        return None
    return Period(case.materials_signed_on, DayCount.CALENDAR, court_mediation_days())


def mediation_kind(case: Case) -> DeadlineKind:
    if case.channel == IntakeChannel.COURT:
        return DeadlineKind.COURT_MEDIATION
    return DeadlineKind.MEDIATION


def count_due(
    *, starts_on: dt.date, count: str, days: int, calendar: WorkdayCalendar | None = None
) -> Due:
    if count == DayCount.WORKING:
        return add_working_days(starts_on, days, calendar=calendar)
    return add_calendar_days(starts_on, days, calendar=calendar)


def due_of(deadline: Deadline, *, calendar: WorkdayCalendar | None = None) -> Due:
    """The deadline's due date from what it stores (its extensions included)."""
    return count_due(
        starts_on=deadline.starts_on,
        count=deadline.count,
        days=deadline.total_days,
        calendar=calendar,
    )
