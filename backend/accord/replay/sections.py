"""What replay adds to the case page: a replay link on each held hearing (for those who may
replay the case) and the case's verification page (for those who may open it)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.replay.access import replay_access, verification_allowed
from accord.rooms.models import HearingSession, SessionStatus
from accord.rooms.sections import HearingLink


def replay_links(request: HttpRequest, session: HearingSession) -> list[HearingLink]:
    if session.status not in (SessionStatus.OPEN, SessionStatus.ENDED):
        return []
    if replay_access(request.user, session) is None:
        return []
    url = reverse(
        "replay:replay", kwargs={"case_no": session.case.case_no, "session_id": session.pk}
    )
    return [HearingLink(_("Replay"), url, "replay-link")]


def verification_section(request: HttpRequest, case: Case) -> SectionContent | None:
    if not verification_allowed(request.user, case):
        return None
    return SectionContent(
        template="replay/_case_verification.html",
        context={"verify_url": reverse("packages:verify", kwargs={"case_no": case.case_no})},
        order=20,
    )
