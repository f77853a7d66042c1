"""What the case data says about a mediator: the assessment's figures and the exit flags (R5).

Rules, read from the case trace (it has the moment of every move, which the case row keeps only
for the latest one):

- A case counts for the mediator who holds it now (``Case.mediator``): a replaced mediator's
  case counts for the successor.
- *Decided in the period*: the case's first outcome event (agreement, failed, terminated,
  withdrawn, not mediated) fell on a day of the period (local time). *In progress*: the case is
  assigned or in mediation now. *Cases handled* is both together.
- *Days to outcome*: local calendar days from the ``case.accepted`` event to the outcome.
- *Within the limit*: the outcome fell on or before the end of the organization's time limit
  for the case's complexity (``MediationRules.days_*``; a case without one counts as normal),
  counted from the day of acceptance on the working-day calendar when ``count_working_days``,
  else in calendar days (``accord.workdays.periods``). A limit that reaches a year without
  holiday data is provisional, and so are the figures.
- *Feedback*: the parties' submitted feedback on cases this mediator had when they closed,
  submitted in the period.
- *Exit flags*: a mediator (not exited) is flagged *idle* when the last case they were given
  (the latest ``case.assigned`` or ``case.mediator_replaced`` event naming them on a case of the
  organization; without one, the day they became a mediator there) is more than
  ``MediationRules.mediator_idle_days`` ago, and *low score* when their latest assessment (by
  period end) scored below ``MediationRules.mediator_min_score``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.audit.models import TraceEvent
from accord.cases.models import Case, CaseComplexity, CaseState
from accord.cases.services.assignment import MEDIATED_STATES
from accord.mediators.models import Assessment, Feedback, MediatorProfile, MediatorStatus
from accord.orgs.models import MediationRules, Membership, Organization
from accord.workdays.periods import WorkdayCalendar

OUTCOMES = (
    CaseState.AGREEMENT,
    CaseState.FAILED,
    CaseState.TERMINATED,
    CaseState.WITHDRAWN,
    CaseState.NOT_MEDIATED,
)
OUTCOME_ACTIONS = {f"case.{state.value}": state for state in OUTCOMES}
GIVEN_ACTIONS = ("case.assigned", "case.mediator_replaced")


@dataclass(frozen=True, kw_only=True)
class CaseFigures:
    period_start: dt.date
    period_end: dt.date
    decided: int = 0
    in_progress: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    average_days: float | None = None
    within_limit: int = 0
    provisional: bool = False
    feedback_count: int = 0
    average_satisfaction: float | None = None
    fair_count: int = 0

    @property
    def cases_handled(self) -> int:
        return self.decided + self.in_progress

    @property
    def within_limit_percent(self) -> int | None:
        return round(100 * self.within_limit / self.decided) if self.decided else None

    @property
    def fair_percent(self) -> int | None:
        return round(100 * self.fair_count / self.feedback_count) if self.feedback_count else None

    def outcome_rows(self) -> list[tuple[str, int]]:
        labels = dict(CaseState.choices)
        return [(str(labels[state]), count) for state, count in self.outcomes.items()]

    def snapshot(self) -> dict[str, Any]:
        """What an assessment keeps of the figures it was made on."""
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "cases_handled": self.cases_handled,
            "decided": self.decided,
            "in_progress": self.in_progress,
            "outcomes": dict(self.outcomes),
            "average_days": self.average_days,
            "within_limit": self.within_limit,
            "within_limit_percent": self.within_limit_percent,
            "provisional": self.provisional,
            "feedback_count": self.feedback_count,
            "average_satisfaction": self.average_satisfaction,
            "fair_percent": self.fair_percent,
        }


def _limit_days(rules: MediationRules, complexity: str) -> int:
    return {
        CaseComplexity.SIMPLE: rules.days_simple,
        CaseComplexity.COMPLEX: rules.days_complex,
    }.get(CaseComplexity(complexity) if complexity else CaseComplexity.NORMAL, rules.days_normal)


def rules_of(organization: Organization) -> MediationRules:
    """The organization's rules (the defaults, unsaved, when it has none yet)."""
    found = MediationRules.objects.filter(organization=organization).first()
    return found or MediationRules(organization=organization)


def case_figures(
    *, profile: MediatorProfile, period_start: dt.date, period_end: dt.date
) -> CaseFigures:
    """The figures of ``profile``'s mediator over the period (both days included)."""
    organization = profile.membership.organization
    assert organization is not None
    user_id = profile.membership.user_id
    rules = rules_of(organization)
    cases = {
        case.chain_id: case
        for case in Case.objects.filter(organization=organization, mediator_id=user_id)
    }
    in_progress = sum(1 for case in cases.values() if case.state in MEDIATED_STATES)
    accepted: dict[int, dt.date] = {}
    outcome: dict[int, tuple[CaseState, dt.date]] = {}
    events = TraceEvent.objects.filter(
        chain_id__in=list(cases), action__in=["case.accepted", *OUTCOME_ACTIONS]
    ).order_by("chain_id", "seq")
    for event in events.only("chain_id", "action", "occurred_at"):
        day = timezone.localdate(event.occurred_at)
        if event.action == "case.accepted":
            accepted.setdefault(event.chain_id, day)
        elif event.chain_id not in outcome:
            outcome[event.chain_id] = (OUTCOME_ACTIONS[event.action], day)
    calendar = WorkdayCalendar.load()
    counts: Counter[str] = Counter()
    days: list[int] = []
    within = 0
    provisional = False
    for chain_id, (state, day) in outcome.items():
        if not period_start <= day <= period_end:
            continue
        counts[state.value] += 1
        start = accepted.get(chain_id)
        if start is None:
            continue
        days.append((day - start).days)
        n = _limit_days(rules, cases[chain_id].complexity)
        due = (
            calendar.add_working_days(start, n)
            if rules.count_working_days
            else calendar.add_calendar_days(start, n)
        )
        provisional = provisional or due.provisional
        within += day <= due.date
    feedback = list(
        Feedback.objects.filter(
            case__organization=organization,
            mediator_id=user_id,
            submitted_at__date__gte=period_start,
            submitted_at__date__lte=period_end,
        ).values_list("satisfaction", "fair")
    )
    scores = [score for score, _fair in feedback if score is not None]
    return CaseFigures(
        period_start=period_start,
        period_end=period_end,
        decided=sum(counts.values()),
        in_progress=in_progress,
        outcomes={state.value: counts[state.value] for state in OUTCOMES if counts[state.value]},
        average_days=round(sum(days) / len(days), 1) if days else None,
        within_limit=within,
        provisional=provisional,
        feedback_count=len(feedback),
        average_satisfaction=round(sum(scores) / len(scores), 1) if scores else None,
        fair_count=sum(1 for _score, fair in feedback if fair),
    )


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=364), today


# --- Exit flags --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExitFlag:
    code: str  # "idle" | "low_score"
    message: str


def last_case_given(*, organization: Organization, user_id: int) -> dt.datetime | None:
    """When ``user_id`` was last given a case of ``organization`` (assigned or replacing)."""
    found = TraceEvent.objects.filter(
        chain__case__organization=organization,
        action__in=GIVEN_ACTIONS,
        payload__mediator__user_id=user_id,
    ).aggregate(last=Max("occurred_at"))["last"]
    return found if isinstance(found, dt.datetime) else None


def exit_flags(
    *,
    membership: Membership,
    profile: MediatorProfile | None,
    rules: MediationRules,
    last_given: dt.datetime | None,
    latest: Assessment | None,
    now: dt.datetime | None = None,
) -> list[ExitFlag]:
    """Why the roster flags this mediator for exit (nothing for an exited one)."""
    if profile is not None and profile.status == MediatorStatus.EXITED:
        return []
    now = now or timezone.now()
    flags = []
    since = last_given or membership.created_at
    idle = (now - since).days
    if idle > rules.mediator_idle_days:
        if last_given is None:
            message = _("No case since becoming a mediator here %(days)d days ago.") % {
                "days": idle
            }
        else:
            message = _("No new case for %(days)d days (the limit is %(limit)d).") % {
                "days": idle,
                "limit": rules.mediator_idle_days,
            }
        flags.append(ExitFlag(code="idle", message=message))
    if latest is not None and latest.score < rules.mediator_min_score:
        message = _("The last assessment scored %(score)d, below %(min)d.") % {
            "score": latest.score,
            "min": rules.mediator_min_score,
        }
        flags.append(ExitFlag(code="low_score", message=message))
    return flags
