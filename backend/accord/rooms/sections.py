"""The hearings section of the case page (:mod:`accord.cases.sections`), and the links that
apps above ``rooms`` add to each hearing in it (replay, …) without ``rooms`` importing them.

A hearing-link provider returns the links ``request.user`` may follow for one hearing; the
section lists every hearing of the case to whoever manages the case's hearings, and to anyone
else the hearings they take part in or have a link for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.orgs.models import MediationRules
from accord.rooms.models import HearingSession, SessionStatus
from accord.rooms.scheduling import may_manage, may_schedule


@dataclass(frozen=True, slots=True)
class HearingLink:
    label: str
    url: str
    testid: str = ""


HearingLinkProvider = Callable[[HttpRequest, HearingSession], Sequence[HearingLink]]

_link_providers: list[HearingLinkProvider] = []


def register_hearing_links(provider: HearingLinkProvider) -> HearingLinkProvider:
    """Add ``provider``'s links to every hearing of the case page (once)."""
    if provider not in _link_providers:
        _link_providers.append(provider)
    return provider


def recording_policy(case: Case) -> dict[str, Any]:
    """What the organization's rules say about recording, for the scheduling page."""
    rules = MediationRules.objects.filter(organization=case.organization).first()
    defaults = MediationRules()
    return {
        "record_caucus": (rules or defaults).record_caucus,
        "retention_days": (rules or defaults).recording_retention_days,
    }


def _row(request: HttpRequest, session: HearingSession, user: User, manages: bool) -> Any:
    mine = session.participants.filter(user=user).first()
    links: list[HearingLink] = []
    if mine is not None and session.status in (SessionStatus.SCHEDULED, SessionStatus.OPEN):
        links.append(
            HearingLink(
                _("Open the hearing"),
                reverse("rooms:session", kwargs={"session_id": session.pk}),
                "hearing-link",
            )
        )
    if manages:
        links.append(
            HearingLink(
                _("Participants and links"),
                reverse("rooms:manage", kwargs={"session_id": session.pk}),
                "manage-hearing-link",
            )
        )
    for provider in _link_providers:
        links.extend(provider(request, session))
    if not links and not manages and mine is None:
        return None
    return {"session": session, "links": links}


def hearings_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    sessions = (
        HearingSession.objects.filter(case=case).select_related("case").order_by("-scheduled_at")
    )
    manages = bool(sessions) and may_manage(user=user, session=sessions[0])
    rows = [row for session in sessions if (row := _row(request, session, user, manages))]
    schedulable = may_schedule(user=user, case=case)
    if not rows and not schedulable:
        return None
    return SectionContent(
        template="rooms/_case_hearings.html",
        context={
            "hearings": rows,
            "may_schedule": schedulable,
            "schedule_url": reverse("rooms:schedule", kwargs={"case_no": case.case_no}),
        },
        order=10,
    )
