"""The case lists: filters by state and channel, search by case number, applicant
and institution, counts per state, newest first.

Every function here narrows a queryset that a selector has already limited to what
the user may see (``case_list_for_user``, ``case_list_for_audit``); nothing widens it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accord.cases.models import Case, CaseState, IntakeChannel

SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    """What the list is narrowed to; empty strings mean "any"."""

    state: str = ""
    channel: str = ""
    search: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.state or self.channel or self.search)


@dataclass(frozen=True, slots=True)
class StateCount:
    state: CaseState
    count: int


def search_cases(cases: QuerySet[Case], search: str) -> QuerySet[Case]:
    """Cases whose number, applicant's name, or financial institution (name or code)
    contains ``search`` (case-insensitive); every word must match somewhere."""
    for word in search.split()[:5]:
        cases = cases.filter(
            Q(case_no__icontains=word)
            | Q(applicant_name__icontains=word)
            | Q(respondent__name__icontains=word)
            | Q(respondent__code__iexact=word)
        )
    return cases


def filter_cases(cases: QuerySet[Case], case_filter: CaseFilter) -> QuerySet[Case]:
    """``cases`` narrowed by ``case_filter``, newest first."""
    if case_filter.channel in IntakeChannel.values:
        cases = cases.filter(channel=case_filter.channel)
    if case_filter.search:
        cases = search_cases(cases, case_filter.search)
    if case_filter.state in CaseState.values:
        cases = cases.filter(state=case_filter.state)
    return cases.order_by("-created_at", "-id")


def state_counts(cases: QuerySet[Case], case_filter: CaseFilter) -> list[StateCount]:
    """How many of ``cases`` are in each state, under the channel and search of
    ``case_filter`` (not its state: the counts are what choosing a state would show)."""
    unstated = filter_cases(
        cases, CaseFilter(channel=case_filter.channel, search=case_filter.search)
    )
    rows = unstated.order_by().values("state").annotate(n=Count("id"))
    counts = {row["state"]: row["n"] for row in rows}
    return [StateCount(state=state, count=counts.get(state.value, 0)) for state in CaseState]
