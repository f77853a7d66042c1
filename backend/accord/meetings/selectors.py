"""Who sees and who writes which joint meeting, read through :mod:`accord.analytics.scope`.

A meeting belongs to the scope of the organization that convened it and is visible there and
in the scopes of the organizations that attend it (an institution sees the meetings it
attended); the system scope sees every meeting. Only regulator, court and mediation
organization scopes convene, and only their officers, clerks and administrators write (auditors
read). A follow-up may also be marked done by its owner: the person named, or a non-auditor
member of the owning organization watching through its scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.accounts.models import User
from accord.alerts.models import Alert
from accord.alerts.selectors import alerts_in_scope
from accord.analytics.scope import Scope, ScopeKind
from accord.cases.models import Case
from accord.meetings.models import FollowUp, JointMeeting
from accord.orgs.models import MEDIATION_KINDS, Organization, OrgKind, Role
from accord.orgs.selectors import active_memberships

CONVENING_KINDS = (ScopeKind.REGULATOR, ScopeKind.COURT, ScopeKind.ORGANIZATION)

# The roles that write a convening organization's meetings, in the order they are preferred.
WRITER_ROLES = (Role.ORG_ADMIN, Role.REGULATOR_OFFICER, Role.COURT_CLERK)
OWNER_ROLES = (*WRITER_ROLES, Role.INSTITUTION_STAFF)

# The organizations that may attend (and own follow-ups).
ATTENDING_KINDS = (
    *MEDIATION_KINDS,
    OrgKind.REGULATOR,
    OrgKind.COURT,
    OrgKind.FINANCIAL_INSTITUTION,
)


def convening_scope(organization: Organization) -> Scope:
    """The scope a meeting convened by ``organization`` belongs to."""
    if organization.kind in MEDIATION_KINDS:
        return Scope(ScopeKind.ORGANIZATION, organization)
    if organization.kind == OrgKind.REGULATOR:
        return Scope(ScopeKind.REGULATOR, organization)
    if organization.kind == OrgKind.COURT:
        return Scope(ScopeKind.COURT, organization)
    raise ValueError(f"a {organization.kind} does not convene joint meetings")


def meetings_in(scope: Scope) -> QuerySet[JointMeeting]:
    """The meetings visible in ``scope``: convened by its organization or attended by it."""
    meetings = JointMeeting.objects.select_related("organization")
    if scope.kind == ScopeKind.SYSTEM or scope.organization is None:
        return meetings.all()
    organization = scope.organization
    attended = JointMeeting.objects.filter(attendees__organization=organization).values("pk")
    return meetings.filter(Q(organization=organization) | Q(pk__in=attended))


def meeting_in(scope: Scope, pk: int) -> JointMeeting:
    """The meeting ``pk`` if visible in ``scope``; :class:`Http404` otherwise."""
    meeting = meetings_in(scope).filter(pk=pk).first()
    if meeting is None:
        raise Http404("no such meeting")
    return meeting


def _role_in(user: User, organization: Organization, roles: tuple[str, ...]) -> str | None:
    if not user.is_active or not organization.is_active:
        return None
    held = set(
        active_memberships(user).filter(organization=organization).values_list("role", flat=True)
    )
    return next((role for role in roles if role in held), None)


def writer_role(user: User, organization: Organization) -> str | None:
    """The role in which ``user`` writes the meetings ``organization`` convenes, or ``None``."""
    if organization.kind not in (*MEDIATION_KINDS, OrgKind.REGULATOR, OrgKind.COURT):
        return None
    return _role_in(user, organization, WRITER_ROLES)


def may_convene(user: User, scope: Scope) -> bool:
    """Whether ``user`` convenes meetings in ``scope`` (a regulator, court or organization)."""
    if scope.kind not in CONVENING_KINDS or scope.organization is None:
        return False
    return writer_role(user, scope.organization) is not None


def may_manage(user: User, scope: Scope, meeting: JointMeeting) -> bool:
    """Whether ``user``, watching through ``scope``, edits ``meeting`` (its convening scope)."""
    organization = scope.organization
    if organization is None or meeting.organization_id != organization.pk:
        return False
    return may_convene(user, scope)


def owner_role(user: User, follow_up: FollowUp) -> str | None:
    """The role in which ``user`` closes ``follow_up`` as its owner, or ``None``."""
    if follow_up.owner_user_id is not None and follow_up.owner_user_id == user.pk:
        return _role_in(user, follow_up.owner_organization, OWNER_ROLES) or "follow_up_owner"
    return _role_in(user, follow_up.owner_organization, OWNER_ROLES)


def may_close(user: User, scope: Scope, follow_up: FollowUp) -> bool:
    """Whether ``user`` marks ``follow_up`` done from the meeting page seen in ``scope``."""
    if may_manage(user, scope, follow_up.meeting):
        return True
    if follow_up.owner_user_id is not None and follow_up.owner_user_id == user.pk:
        return True
    organization = scope.organization
    return (
        organization is not None
        and organization.pk == follow_up.owner_organization_id
        and owner_role(user, follow_up) is not None
    )


def attachable_cases(meeting: JointMeeting) -> QuerySet[Case]:
    """The cases that may be discussed: those in the convening scope."""
    return convening_scope(meeting.organization).cases()


def attachable_alerts(meeting: JointMeeting) -> QuerySet[Alert]:
    """The alerts that may be discussed: those visible in the convening scope (the alerts
    app's own definition)."""
    return alerts_in_scope(convening_scope(meeting.organization))


def attending_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True, kind__in=list(ATTENDING_KINDS)).order_by(
        "name"
    )


def meeting_organizations(meeting: JointMeeting) -> QuerySet[Organization]:
    """The convening organization and the attending ones (the possible follow-up owners)."""
    attending = meeting.attendees.values("organization_id")
    return Organization.objects.filter(
        Q(pk=meeting.organization_id) | Q(pk__in=attending)
    ).order_by("name")


def staff_users() -> QuerySet[User]:
    """Accounts that may be named as attendees or owners: active staff of an organization."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organization__kind__in=list(ATTENDING_KINDS),
        )
        .distinct()
        .order_by("display_name", "pk")
    )
