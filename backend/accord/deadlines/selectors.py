"""Reads about deadlines, already filtered by what the user may see.

The deadlines of a case are shown to whoever may see or audit the case (the caller looked it
up through ``cases.selectors``). The overdue list is for administrators of mediation
organizations: their organizations' running deadlines that are past due or due within
``SOON_WORKING_DAYS`` working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accord.accounts.models import User
from accord.cases.models import Case
from accord.deadlines.extensions import missing_consents, outside_trial_period
from accord.deadlines.models import (
    ConsentParty,
    Deadline,
    DeadlineExtension,
    DeadlineStatus,
    ExtensionConsent,
    ExtensionStatus,
)
from accord.orgs.models import MEDIATION_KINDS, Organization
from accord.orgs.selectors import organizations_administered_by
from accord.workdays.periods import add_working_days

SOON_WORKING_DAYS = 3


def deadlines_of_case(case: Case) -> QuerySet[Deadline]:
    """Every deadline of ``case`` (running first, then by due date), with its extensions and
    their consents."""
    return (
        Deadline.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=DeadlineExtension.objects.order_by("requested_at", "pk").prefetch_related(
                    Prefetch("consents", queryset=ExtensionConsent.objects.order_by("pk"))
                ),
            )
        )
        .order_by("-status", "due_on", "pk")
    )


def deadline_of_case(case: Case, deadline_id: int) -> Deadline | None:
    return Deadline.objects.filter(case=case, pk=deadline_id).select_related("case").first()


def extension_of_case(case: Case, extension_id: int) -> DeadlineExtension | None:
    return (
        DeadlineExtension.objects.filter(deadline__case=case, pk=extension_id)
        .select_related("deadline__case")
        .first()
    )


@dataclass(frozen=True, slots=True)
class ConsentView:
    party: str
    party_label: str
    consents: bool | None  # None: not answered yet
    recorded_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ExtensionView:
    extension: DeadlineExtension
    consents: list[ConsentView]
    missing: list[str]
    outside_trial_period: bool

    @property
    def pending(self) -> bool:
        return self.extension.status == ExtensionStatus.PENDING


def extension_view(extension: DeadlineExtension, case: Case) -> ExtensionView:
    answers = {c.party: c for c in extension.consents.all()}
    consents = [
        ConsentView(
            party=party.value,
            party_label=str(party.label),
            consents=answers[party.value].consents if party.value in answers else None,
            recorded_at=answers[party.value].recorded_at if party.value in answers else None,
        )
        for party in ConsentParty
    ]
    return ExtensionView(
        extension=extension,
        consents=consents,
        missing=[p.value for p in missing_consents(extension)],
        outside_trial_period=outside_trial_period(case),
    )


def overdue_cutoff(today: dt.date) -> dt.date:
    """Deadlines due on or before this day are listed (past due, or due within
    ``SOON_WORKING_DAYS`` working days of ``today``)."""
    return add_working_days(today, SOON_WORKING_DAYS).date


def admin_organizations(user: User) -> QuerySet[Organization]:
    """The mediation organizations ``user`` administers (every one for a sysadmin)."""
    return organizations_administered_by(user).filter(kind__in=MEDIATION_KINDS).order_by("code")


def overdue_deadlines(
    *, organizations: QuerySet[Organization] | list[Organization], today: dt.date | None = None
) -> list[Deadline]:
    """Running deadlines of ``organizations``' cases past due or due soon, earliest first."""
    today = today or timezone.localdate()
    return list(
        Deadline.objects.filter(
            status=DeadlineStatus.OPEN,
            case__organization__in=organizations,
            due_on__lte=overdue_cutoff(today),
        )
        .select_related("case", "case__organization", "case__mediator")
        .order_by("due_on", "pk")
    )
