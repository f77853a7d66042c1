"""Reads of the typical-case library and the outreach events.

Public reads go through ``published_cases`` and ``public_events`` only: nothing that is not
published (a draft, a withdrawn case, an unpublished or cancelled event) is ever returned to
a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from accord.accounts.models import User
from accord.cases.models import ApplicantType, Case, CaseState, RespondentAnswer
from accord.orgs.models import MEDIATION_KINDS, Organization, Role
from accord.orgs.selectors import has_role
from accord.publicity.models import OutreachEvent, TypicalCase, TypicalCaseStatus
from accord.publicity.search import search_filter

# A typical case is drafted from a case whose procedure is over: ``closed`` is the end of
# every route (agreement, failure, termination, withdrawal, no mediation are closed after).
ELIGIBLE_STATES = frozenset({CaseState.CLOSED})


def may_curate(user: User | AnonymousUser, organization: Organization) -> bool:
    """Whether ``user`` administers ``organization`` (who drafts, reviews, publishes)."""
    return has_role(user, Role.ORG_ADMIN, organization)


def may_draft_from(user: User | AnonymousUser, case: Case) -> bool:
    return case.state in ELIGIBLE_STATES and may_curate(user, case.organization)


def curated_organizations(user: User | AnonymousUser) -> QuerySet[Organization]:
    """The organizations whose library and events ``user`` manages (as org admin)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user,
        memberships__is_active=True,
        memberships__role=Role.ORG_ADMIN,
    ).distinct()


def curated_organization(user: User | AnonymousUser, code: str) -> Organization | None:
    return curated_organizations(user).filter(code=code).first()


def person_names(case: Case) -> tuple[str, ...]:
    """The natural persons a case names: masked in its typical case. The organization and the
    institution are not natural persons and keep their names."""
    names: list[str] = []
    if case.applicant_type == ApplicantType.NATURAL_PERSON:
        names.append(case.applicant_name)
    names.append(case.representative)
    users = [case.applicant, case.mediator, case.submitted_by]
    answer = RespondentAnswer.objects.filter(case=case).select_related("answered_by").first()
    if answer is not None:
        users.append(answer.answered_by)
    for user in users:
        if isinstance(user, User):
            names.append(user.display_name)
    if case.consultation is not None:
        names.append(case.consultation.contact_name)
    # One-character "names" would mask every occurrence of a common character.
    cleaned = (name.strip() for name in names if name)
    return tuple(dict.fromkeys(name for name in cleaned if len(name) >= 2))


def typical_cases_of(organization: Organization) -> QuerySet[TypicalCase]:
    return (
        TypicalCase.objects.filter(organization=organization)
        .select_related("case")
        .order_by("status", "-drafted_at", "-id")
    )


def typical_case_for_curator(
    user: User | AnonymousUser, organization: Organization, pk: int
) -> TypicalCase | None:
    if not may_curate(user, organization):
        return None
    return (
        TypicalCase.objects.filter(organization=organization, pk=pk)
        .select_related("case", "organization")
        .first()
    )


def typical_cases_from(case: Case) -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(case=case).order_by("-drafted_at", "-id")


# --- Public ---------------------------------------------------------------------------


def published_cases() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(status=TypicalCaseStatus.PUBLISHED).select_related(
        "organization"
    )


@dataclass(frozen=True, slots=True)
class LibraryFilter:
    query: str = ""
    business_type: str = ""
    organization: str = ""  # the organization's code


def library_search(filters: LibraryFilter) -> QuerySet[TypicalCase]:
    """The published cases matching ``filters`` (see ``accord.publicity.search``)."""
    cases = published_cases()
    if filters.business_type:
        cases = cases.filter(business_type=filters.business_type)
    if filters.organization:
        cases = cases.filter(organization__code=filters.organization)
    return search_filter(cases, filters.query).order_by("-published_at", "-id")


def published_case(pk: int) -> TypicalCase | None:
    return published_cases().filter(pk=pk).first()


def library_organizations() -> QuerySet[Organization]:
    """The mediation organizations with at least one published case (the filter's choices)."""
    return (
        Organization.objects.filter(
            kind__in=list(MEDIATION_KINDS), typical_cases__status=TypicalCaseStatus.PUBLISHED
        )
        .distinct()
        .order_by("name")
    )


def public_events() -> QuerySet[OutreachEvent]:
    return OutreachEvent.objects.filter(published=True, cancelled_at__isnull=True).select_related(
        "organization"
    )


def events_split() -> tuple[list[OutreachEvent], list[OutreachEvent]]:
    """The public events: upcoming (and running) soonest first, then past, latest first."""
    now = timezone.now()
    upcoming = list(public_events().filter(ends_at__gte=now).order_by("starts_at", "id"))
    past = list(public_events().filter(ends_at__lt=now).order_by("-starts_at", "-id")[:50])
    return upcoming, past


def public_event(pk: int) -> OutreachEvent | None:
    return public_events().filter(pk=pk).first()


def events_of(organization: Organization) -> QuerySet[OutreachEvent]:
    return OutreachEvent.objects.filter(organization=organization).order_by("-starts_at", "-id")


def event_for_curator(
    user: User | AnonymousUser, organization: Organization, pk: int
) -> OutreachEvent | None:
    if not may_curate(user, organization):
        return None
    return OutreachEvent.objects.filter(organization=organization, pk=pk).first()
