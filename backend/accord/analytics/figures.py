"""The statistics of a scope over a period (R16): each figure one table, computed by the database.

Every table is read from :meth:`Scope.cases` / :meth:`Scope.case_q` (``accord.analytics.scope``,
the one definition of who watches which cases) and grouped in SQL (``values().annotate()``,
conditional ``Count``, a median aggregate): no loop over cases in Python. The definitions are
written down in ``docs/statistics.md``; in short:

- *Intake*: the cases received (``Case.created_at``, local day) in the period, by month and
  channel, by dispute type, by institution (top 10 and the others) and by financial product
  (trimmed and lower-cased, top 10 and the others).
- *Outcomes*: the cases whose outcome event (``case.agreement``, ``case.failed``,
  ``case.terminated``, ``case.withdrawn``, ``case.not_mediated``, ``case.declined`` in the
  trace; an outcome is final, so a case has at most one) fell on a day of the period, and the
  cases received by the end of the period without an outcome by then (*still open*).
- *Time to outcome*: as ``mediators.figures``: of the cases decided in the period (the five
  mediation outcomes, not ``declined``) that had been accepted, local calendar days from the
  ``case.accepted`` event to the outcome (median), and the share decided on or before the due
  day of the case's mediation period (its latest ``mediation`` / ``court_mediation`` deadline,
  extensions included), by complexity.
- *Mediator workload*: per mediator holding cases of the scope, the cases assigned or in
  mediation now and the cases they hold that were decided in the period.
- *Small-claim proposals*: proposals issued in the period by status; the acceptance rate is
  accepted over answered (accepted, refused, lapsed).
- *Court feedback*: the feedback owed to courts for entrusted mediations that ended in the
  period, by the state of its ``court_feedback`` deadline: on time, late, overdue, pending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower, Trim, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.analytics.scope import Scope
from accord.audit.models import TraceEvent
from accord.cases.models import BusinessType, Case, CaseComplexity, CaseState, IntakeChannel
from accord.cases.services.assignment import MEDIATED_STATES
from accord.courts.models import CourtFeedback
from accord.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from accord.smallclaims.models import Proposal, ProposalStatus

# The five outcomes of a mediation (as ``mediators.figures``), and the organization declining
# the case, which ends it too.
MEDIATION_OUTCOMES = (
    CaseState.AGREEMENT,
    CaseState.FAILED,
    CaseState.TERMINATED,
    CaseState.WITHDRAWN,
    CaseState.NOT_MEDIATED,
)
OUTCOMES = (*MEDIATION_OUTCOMES, CaseState.DECLINED)
OUTCOME_ACTIONS = {f"case.{state.value}": state for state in OUTCOMES}
MEDIATION_OUTCOME_ACTIONS = tuple(f"case.{state.value}" for state in MEDIATION_OUTCOMES)
TOP = 10


@dataclass(frozen=True)
class Period:
    """Both days included, in the local time zone."""

    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of ``start`` and the first moment after ``end`` (local time)."""
        zone = timezone.get_current_timezone()
        low = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        high = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return low, high

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        """The last twelve months, today included."""
        today = today or timezone.localdate()
        return cls(today - dt.timedelta(days=364), today)


@dataclass(frozen=True)
class Table:
    """One figure: its rows (the first column labels them) and the chart that shows it.

    ``series`` are the indexes of the columns the chart draws (every column after the first
    when empty); ``note`` is a sentence shown under the table (a rate, a caveat)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    chart: str  # "bar" | "stacked" | "hbar" | "line" | "donut"
    series: tuple[int, ...] = ()
    note: str = ""

    @property
    def chart_series(self) -> tuple[int, ...]:
        return self.series or tuple(range(1, len(self.columns)))


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: Period
    tables: tuple[Table, ...]


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of the group."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _received(scope: Scope, period: Period) -> QuerySet[Case]:
    low, high = period.bounds()
    return Case.objects.filter(scope.case_q(), created_at__gte=low, created_at__lt=high).order_by()


def _outcome_events(scope: Scope, period: Period, actions: tuple[str, ...]) -> QuerySet[TraceEvent]:
    low, high = period.bounds()
    return TraceEvent.objects.filter(
        scope.case_q("chain__case__"),
        action__in=actions,
        occurred_at__gte=low,
        occurred_at__lt=high,
        chain__case__isnull=False,
    ).order_by()


# --- Intake ------------------------------------------------------------------------------


def _months(period: Period) -> list[dt.date]:
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def intake_month(scope: Scope, period: Period) -> Table:
    channels = list(IntakeChannel)
    counts = {channel.value: Count("id", filter=Q(channel=channel.value)) for channel in channels}
    found: dict[dt.date, dict[str, Any]] = {}
    grouped = (
        _received(scope, period)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Count("id"), **counts)
    )
    for group in grouped:
        month = group["month"]
        key = month.date() if isinstance(month, dt.datetime) else month
        found[key] = dict(group)
    rows = []
    for month in _months(period):
        row: dict[str, Any] = found.get(month, {})
        rows.append(
            (
                month.strftime("%Y-%m"),
                *(int(row.get(channel.value) or 0) for channel in channels),
                int(row.get("total") or 0),
            )
        )
    return Table(
        key="intake_month",
        title=_("Cases received per month, by channel"),
        columns=(_("Month"), *(str(channel.label) for channel in channels), _("Total")),
        rows=tuple(rows),
        chart="stacked",
        series=tuple(range(1, len(channels) + 1)),
    )


def intake_channel(scope: Scope, period: Period) -> Table:
    grouped = dict(
        _received(scope, period)
        .values("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    total = sum(grouped.values())
    rows = tuple(
        (
            str(channel.label),
            grouped.get(channel.value, 0),
            _percent(grouped.get(channel.value, 0), total),
        )
        for channel in IntakeChannel
    )
    return Table(
        key="intake_channel",
        title=_("Cases received by channel"),
        columns=(_("Channel"), _("Cases"), _("Share (%)")),
        rows=rows,
        chart="donut",
        series=(1,),
    )


def intake_type(scope: Scope, period: Period) -> Table:
    grouped = dict(
        _received(scope, period)
        .values("business_type")
        .annotate(n=Count("id"))
        .values_list("business_type", "n")
    )
    labels = dict(BusinessType.choices)
    total = sum(grouped.values())
    ordered = sorted(grouped.items(), key=lambda item: (-item[1], item[0]))
    rows = tuple((str(labels.get(value, value)), n, _percent(n, total)) for value, n in ordered)
    return Table(
        key="intake_type",
        title=_("Cases received by dispute type"),
        columns=(_("Dispute type"), _("Cases"), _("Share (%)")),
        rows=rows,
        chart="hbar",
        series=(1,),
    )


def _top_rows(
    grouped: Sequence[tuple[object, int]], total: int, blank: str
) -> tuple[tuple[object, ...], ...]:
    rows: list[tuple[object, ...]] = [
        (str(label) if label else blank, n, _percent(n, total)) for label, n in grouped
    ]
    others = total - sum(n for _label, n in grouped)
    if others > 0:
        rows.append((_("Others"), others, _percent(others, total)))
    return tuple(rows)


def intake_institution(scope: Scope, period: Period) -> Table:
    received = _received(scope, period)
    total = received.count()
    grouped = list(
        received.values("respondent_id", "respondent__name")
        .annotate(n=Count("id"))
        .order_by("-n", "respondent__name")
        .values_list("respondent__name", "n")[:TOP]
    )
    return Table(
        key="intake_institution",
        title=_("Cases received by financial institution (top 10)"),
        columns=(_("Financial institution"), _("Cases"), _("Share (%)")),
        rows=_top_rows(grouped, total, _("(unnamed)")),
        chart="hbar",
        series=(1,),
    )


def normalized_product() -> Func:
    """The product as grouped: trimmed, inner runs of blanks made one space, lower-cased."""
    return Lower(
        Func(Trim("product"), Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace")
    )


def intake_product(scope: Scope, period: Period) -> Table:
    received = _received(scope, period)
    total = received.count()
    grouped = list(
        received.annotate(normalized=normalized_product())
        .values("normalized")
        .annotate(n=Count("id"))
        .order_by("-n", "normalized")
        .values_list("normalized", "n")[:TOP]
    )
    return Table(
        key="intake_product",
        title=_("Cases received by financial product (top 10)"),
        columns=(_("Financial product"), _("Cases"), _("Share (%)")),
        rows=_top_rows(grouped, total, _("(not given)")),
        chart="hbar",
        series=(1,),
    )


# --- Outcomes ----------------------------------------------------------------------------


def outcomes(scope: Scope, period: Period) -> Table:
    grouped = dict(
        _outcome_events(scope, period, tuple(OUTCOME_ACTIONS))
        .values("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
    _low, high = period.bounds()
    ended_by_then = TraceEvent.objects.filter(
        chain_id=OuterRef("chain_id"), action__in=list(OUTCOME_ACTIONS), occurred_at__lt=high
    )
    still_open = (
        Case.objects.filter(scope.case_q(), created_at__lt=high)
        .filter(~Exists(ended_by_then))
        .order_by()
        .count()
    )
    ended = sum(grouped.values())
    rows: list[tuple[object, ...]] = []
    for action, state in OUTCOME_ACTIONS.items():
        n = grouped.get(action, 0)
        rows.append((str(state.label), n, _percent(n, ended)))
    rows.append((_("Still open at the end of the period"), still_open, None))
    agreements = grouped.get("case.agreement", 0)
    return Table(
        key="outcomes",
        title=_("Outcomes of the cases that ended in the period"),
        columns=(_("Outcome"), _("Cases"), _("Share of ended (%)")),
        rows=tuple(rows),
        chart="donut",
        series=(1,),
        note=_("%(ended)d cases ended; agreement rate %(rate)s%%.")
        % {"ended": ended, "rate": _percent(agreements, ended) if ended else "–"},
    )


def time_to_outcome(scope: Scope, period: Period) -> Table:
    accepted_day = Subquery(
        TraceEvent.objects.filter(chain_id=OuterRef("chain_id"), action="case.accepted")
        .order_by("seq")
        .annotate(day=TruncDate("occurred_at"))
        .values("day")[:1]
    )
    due_on = Subquery(
        Deadline.objects.filter(
            case_id=OuterRef("chain__case__id"),
            kind__in=[DeadlineKind.MEDIATION, DeadlineKind.COURT_MEDIATION],
            subject="",
        )
        .order_by("-id")
        .values("due_on")[:1]
    )
    decided = (
        _outcome_events(scope, period, MEDIATION_OUTCOME_ACTIONS)
        .annotate(outcome_day=TruncDate("occurred_at"), accepted_day=accepted_day, due_on=due_on)
        .filter(accepted_day__isnull=False)
        .annotate(
            days=Func(
                F("outcome_day"),
                F("accepted_day"),
                template="(%(expressions)s)",
                arg_joiner=" - ",
                output_field=IntegerField(),
            )
        )
    )
    measures = {
        "decided": Count("id"),
        "median": Median("days"),
        "limited": Count("id", filter=Q(due_on__isnull=False)),
        "within": Count("id", filter=Q(due_on__isnull=False, outcome_day__lte=F("due_on"))),
    }
    grouped: dict[str, Mapping[str, Any]] = {
        row["complexity"]: row
        for row in decided.annotate(complexity=Coalesce("chain__case__complexity", Value("")))
        .values("complexity")
        .annotate(**measures)
    }
    overall = decided.aggregate(**measures)

    def line(label: str, row: Mapping[str, Any]) -> tuple[object, ...]:
        median = row.get("median")
        return (
            label,
            int(row.get("decided") or 0),
            round(float(median), 1) if median is not None else None,
            int(row.get("within") or 0),
            _percent(int(row.get("within") or 0), int(row.get("limited") or 0)),
        )

    rows = [line(str(level.label), grouped.get(level.value, {})) for level in CaseComplexity]
    if grouped.get(""):
        rows.append(line(_("Not set"), grouped[""]))
    rows.append(line(_("All"), overall))
    return Table(
        key="time_to_outcome",
        title=_("Time to outcome against the time limits"),
        columns=(
            _("Complexity"),
            _("Decided"),
            _("Median days"),
            _("Within the limit"),
            _("Share within the limit (%)"),
        ),
        rows=tuple(rows),
        chart="bar",
        series=(4,),
    )


# --- People and procedures ---------------------------------------------------------------


def mediator_workload(scope: Scope, period: Period) -> Table:
    low, high = period.bounds()
    decided_in_period = TraceEvent.objects.filter(
        chain_id=OuterRef("chain_id"),
        action__in=MEDIATION_OUTCOME_ACTIONS,
        occurred_at__gte=low,
        occurred_at__lt=high,
    )
    grouped = list(
        scope.cases()
        .filter(mediator__isnull=False)
        # Only the cases that can count: open now, or moved since the period began (a case
        # decided in the period changed state then). Without this every case of all time is
        # probed for an outcome event (bench/oversight).
        .filter(Q(state__in=list(MEDIATED_STATES)) | Q(state_changed_at__gte=low))
        .annotate(decided_here=Exists(decided_in_period))
        .order_by()
        .values("mediator_id")
        .annotate(
            open=Count("id", filter=Q(state__in=list(MEDIATED_STATES))),
            decided=Count("id", filter=Q(decided_here=True)),
        )
        .filter(Q(open__gt=0) | Q(decided__gt=0))
        .values_list("mediator_id", "open", "decided")
    )
    users = User.objects.in_bulk([mediator_id for mediator_id, _o, _d in grouped])
    rows = sorted(
        (
            (users[mediator_id].get_full_name(), open_now, decided)
            for mediator_id, open_now, decided in grouped
            if mediator_id in users
        ),
        key=lambda row: (-row[1] - row[2], row[0]),
    )
    return Table(
        key="mediator_workload",
        title=_("Mediator workload"),
        columns=(_("Mediator"), _("Open cases now"), _("Decided in the period")),
        rows=tuple(rows),
        chart="hbar",
    )


def smallclaim_proposals(scope: Scope, period: Period) -> Table:
    low, high = period.bounds()
    grouped = dict(
        Proposal.objects.filter(scope.case_q("case__"), issued_at__gte=low, issued_at__lt=high)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    answered = sum(
        grouped.get(status, 0)
        for status in (ProposalStatus.ACCEPTED, ProposalStatus.REFUSED, ProposalStatus.LAPSED)
    )
    labels = {
        ProposalStatus.ACCEPTED: _("Accepted"),
        ProposalStatus.REFUSED: _("Refused"),
        ProposalStatus.LAPSED: _("Lapsed (not answered in time)"),
        ProposalStatus.ISSUED: _("Waiting for an answer"),
        ProposalStatus.CANCELLED: _("Cancelled (the mediation ended first)"),
    }
    rows = []
    for status, label in labels.items():
        n = grouped.get(status.value, 0)
        share = (
            _percent(n, answered)
            if status in (ProposalStatus.ACCEPTED, ProposalStatus.REFUSED, ProposalStatus.LAPSED)
            else None
        )
        rows.append((str(label), n, share))
    rate = _percent(grouped.get(ProposalStatus.ACCEPTED.value, 0), answered)
    return Table(
        key="smallclaim_proposals",
        title=_("Small-claim proposals issued in the period"),
        columns=(_("Status"), _("Proposals"), _("Share of answered (%)")),
        rows=tuple(rows),
        chart="donut",
        series=(1,),
        note=_("Acceptance rate (accepted of answered): %(rate)s%%.")
        % {"rate": rate if rate is not None else "–"},
    )


def court_feedback(scope: Scope, period: Period) -> Table:
    low, high = period.bounds()
    today = timezone.localdate()
    counts = CourtFeedback.objects.filter(
        scope.case_q("entrustment__case__"), due_at__gte=low, due_at__lt=high
    ).aggregate(
        on_time=Count("id", filter=Q(deadline__status=DeadlineStatus.MET)),
        late=Count("id", filter=Q(deadline__status=DeadlineStatus.MISSED)),
        overdue=Count(
            "id", filter=Q(deadline__status=DeadlineStatus.OPEN, deadline__due_on__lt=today)
        ),
        pending=Count(
            "id", filter=Q(deadline__status=DeadlineStatus.OPEN, deadline__due_on__gte=today)
        ),
        untracked=Count(
            "id",
            filter=Q(deadline__isnull=True) | Q(deadline__status=DeadlineStatus.CANCELLED),
        ),
        total=Count("id"),
    )
    total = int(counts["total"])
    labels = {
        "on_time": _("On time (within 3 working days)"),
        "late": _("Late (done after the limit)"),
        "overdue": _("Overdue (not done, past the limit)"),
        "pending": _("Pending (within the limit)"),
        "untracked": _("Without a time limit"),
    }
    rows = tuple(
        (str(label), int(counts[name]), _percent(int(counts[name]), total))
        for name, label in labels.items()
        if name != "untracked" or counts[name]
    )
    done = int(counts["on_time"]) + int(counts["late"])
    rate = _percent(int(counts["on_time"]), done)
    return Table(
        key="court_feedback",
        title=_("Feedback to courts on entrusted cases"),
        columns=(_("Feedback"), _("Cases"), _("Share (%)")),
        rows=rows,
        chart="donut",
        series=(1,),
        note=_("On time of those done: %(rate)s%%.") % {"rate": rate if rate is not None else "–"},
    )


TABLES: dict[str, Callable[[Scope, Period], Table]] = {
    "intake_month": intake_month,
    "intake_channel": intake_channel,
    "intake_type": intake_type,
    "intake_institution": intake_institution,
    "intake_product": intake_product,
    "outcomes": outcomes,
    "time_to_outcome": time_to_outcome,
    "mediator_workload": mediator_workload,
    "smallclaim_proposals": smallclaim_proposals,
    "court_feedback": court_feedback,
}


def table(scope: Scope, period: Period, key: str) -> Table:
    """One table by its key (``KeyError`` for an unknown one)."""
    return TABLES[key](scope, period)


def dashboard(scope: Scope, period: Period) -> Dashboard:
    return Dashboard(
        scope=scope,
        period=period,
        tables=tuple(compute(scope, period) for compute in TABLES.values()),
    )
