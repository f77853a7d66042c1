"""Whether a participant may still take part in a hearing: the participant row is not enough.

A hearing belongs to a case, and taking part follows access to that case: the case is still
visible to the user (``cases.selectors``), the role they take part in is still theirs (an active
membership), and the case is in a state in which its hearings are held. Entering (the pages and
the socket's connect) and every control of the room check this again, so a deactivated mediator
or a withdrawn case stops a hearing at once rather than at the next sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_list_for_user, case_parties
from accord.cases.states import Party
from accord.orgs.models import Role
from accord.orgs.selectors import active_memberships, has_role
from accord.rooms.models import ParticipantRole

# From assignment until the case is withdrawn or closed (a hearing may be where the outcome is
# reached, so recording one does not end it); withdrawing or closing ends them
# (``services.sessions_follow_case``).
HEARING_STATES = frozenset(
    {
        CaseState.ASSIGNED,
        CaseState.MEDIATING,
        CaseState.AGREEMENT,
        CaseState.FAILED,
        CaseState.TERMINATED,
    }
)
# Error code of a control refused because the user lost access; the socket then closes 4403.
ACCESS_REVOKED = "access_revoked"
CLOSE_NO_ACCESS = 4403
CLOSE_NOT_OPEN = 4409


@dataclass(frozen=True)
class Refusal:
    """Why a participant may not enter now: a close code for the socket, a page's status,
    and the error code of a refused control."""

    close_code: int
    http_status: int
    message: str
    code: str = "forbidden"


def takes_part_as(user: User, case: Case, role: str) -> bool:
    """Whether ``user`` may still take part in a hearing of ``case`` in ``role``."""
    if not user.is_active:
        return False
    if role == ParticipantRole.MEDIATOR:
        # The case's mediator (while a mediator of its organization) or its administrator.
        return bool(case_parties(case=case, user=user) & {Party.MEDIATOR, Party.ORG_ADMIN})
    if role == ParticipantRole.EXPERT:
        return has_role(user, Role.EXPERT, case.organization)
    if role == ParticipantRole.OBSERVER and (
        active_memberships(user).filter(organization_id=case.organization_id).exists()
    ):
        return True
    # Parties: the applicant, staff of the institution the case is against (and observers
    # who see the case otherwise).
    return case_list_for_user(user=user).filter(pk=case.pk).exists()


def case_access_refusal(*, user: User, case: Case, role: str) -> Refusal | None:
    """None when ``user`` may still take part in a hearing of ``case`` as ``role``."""
    if case.state not in HEARING_STATES:
        return Refusal(
            CLOSE_NOT_OPEN,
            410,
            _("The case was withdrawn or closed: its hearings are no longer held."),
            code="illegal_state",
        )
    if not takes_part_as(user, case, role):
        return Refusal(
            CLOSE_NO_ACCESS,
            403,
            _("You no longer have access to this case, so you cannot take part in its hearing."),
            code=ACCESS_REVOKED,
        )
    return None
