"""What the outcome services share: the two sides of a case and who acts for them, the people
who run a case, hashes of people's words, the case page's path for notices."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.cases.selectors import case_parties, organization_staff
from accord.cases.states import PARTY_ROLE, Party
from accord.core.api import ServiceError
from accord.orgs.models import Organization, OrgKind, Role
from accord.outcomes.models import Side

# How each side of the agreement stands to the case (``cases.states.Party``).
SIDE_PARTY: dict[Side, Party] = {
    Side.APPLICANT: Party.APPLICANT,
    Side.RESPONDENT: Party.INSTITUTION,
}
RUNNERS = frozenset({Party.MEDIATOR, Party.ORG_ADMIN})
NOTE_MAX = 2000
REFERENCE_MAX = 100


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def case_path(case: Case, anchor: str = "") -> str:
    """The case page's path in the site's default language (a notice is read in any)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("cases:detail", kwargs={"case_no": case.case_no})
    return f"{path}#{anchor}" if anchor else path


def other_side(side: Side | str) -> Side:
    return Side.RESPONDENT if side == Side.APPLICANT else Side.APPLICANT


def parse_side(value: str, *, field: str, code: str) -> Side:
    try:
        return Side(value)
    except ValueError:
        message = _("Choose the applicant or the financial institution.")
        raise ServiceError(message, code=code, fields={field: [message]}) from None


def sides_of(case: Case, user: User) -> list[Side]:
    """The sides ``user`` acts for on ``case`` (the applicant's account; the respondent
    institution's staff)."""
    parties = case_parties(case=case, user=user)
    return [side for side, party in SIDE_PARTY.items() if party in parties]


def acting_side(case: Case, user: User, message: str) -> Side:
    """The one side ``user`` acts for; ``permission_denied`` (403) when none."""
    sides = sides_of(case, user)
    if not sides:
        raise NotAllowed(message)
    return sides[0]


def side_actor(user: User, side: Side) -> Actor:
    return Actor.for_user(user, role=PARTY_ROLE[SIDE_PARTY[side]])


def side_users(case: Case, side: Side | str) -> list[User]:
    """Who acts for ``side``: the applicant's account, or the institution's active staff."""
    if side == Side.APPLICANT:
        return [case.applicant] if case.applicant is not None else []
    return list(organization_staff(case.respondent, Role.INSTITUTION_STAFF).order_by("pk"))


def both_sides(case: Case) -> list[User]:
    return [*side_users(case, Side.APPLICANT), *side_users(case, Side.RESPONDENT)]


def runners_of(case: Case) -> list[User]:
    """Who runs the case: its mediator, or the organization's administrators while it has
    none (they are told what needs the mediator's attention)."""
    if case.mediator is not None:
        return [case.mediator]
    return list(organization_staff(case.organization, Role.ORG_ADMIN).order_by("pk"))


def runner_actor(case: Case, user: User, message: str) -> Actor:
    """The actor of the mediator or an administrator of the case's organization;
    ``permission_denied`` (403) for anyone else."""
    parties = case_parties(case=case, user=user)
    if Party.MEDIATOR in parties:
        return Actor.for_user(user, role=Role.MEDIATOR)
    if Party.ORG_ADMIN in parties:
        return Actor.for_user(user, role=Role.ORG_ADMIN)
    raise NotAllowed(message)


def members_of(organization: Organization, role: Role) -> list[User]:
    return list(organization_staff(organization, role).order_by("pk"))


def clean_note(value: str, *, field: str, required: bool, max_length: int = NOTE_MAX) -> str:
    """A person's text, stripped; ``reason_required`` when required and empty,
    ``too_long`` over ``max_length``."""
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(
            _("This is required."), code="reason_required", fields={field: [_("Required.")]}
        )
    if len(value) > max_length:
        message = _("At most %(n)d characters.") % {"n": max_length}
        raise ServiceError(message, code="too_long", fields={field: [message]})
    return value


def active_organization(
    value: Organization | str | None, *, kinds: Iterable[OrgKind], field: str, code: str
) -> Organization:
    """The active organization of one of ``kinds`` that ``value`` (an organization or its
    code) names; ``code`` (400) otherwise."""
    wanted = {str(kind) for kind in kinds}
    organization: Organization | None
    if isinstance(value, Organization):
        organization = value
    elif value:
        organization = Organization.objects.filter(code=str(value).strip().upper()).first()
    else:
        organization = None
    if organization is None or not organization.is_active or organization.kind not in wanted:
        message = _("Choose one of the organizations offered.")
        raise ServiceError(message, code=code, fields={field: [message]})
    return organization


def outcomes_path(name: str, **kwargs: object) -> str:
    """The path of one of the outcome pages in the site's default language (for notices)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs)
