"""Who watches which cases: the scopes of oversight (R16, R17).

Every figure, export and alert of the oversight apps is read through a :class:`Scope`, and a
user reaches only the scopes their memberships give:

- a mediation organization's administrators (and auditors): the cases it handles;
- a regulator's officers and administrators: the cases handled by the mediation organizations
  of the regulator's region, and the cases it assigned wherever they went;
- a court's clerks and administrators: the cases handled in the court's region, and the cases it
  entrusted;
- a financial institution's staff and administrators: the cases brought against it;
- system administrators: everything (the ``system`` scope).

A region is the organization's ``region`` text; an empty region matches nothing, so a regulator
whose region was never entered sees only the cases it assigned. One region never sees another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.cases.models import Case
from accord.orgs.models import MEDIATION_KINDS, Organization, OrgKind, Role
from accord.orgs.selectors import active_memberships, is_sysadmin


class ScopeKind(StrEnum):
    ORGANIZATION = "organization"
    REGULATOR = "regulator"
    COURT = "court"
    INSTITUTION = "institution"
    SYSTEM = "system"


SCOPE_LABELS = {
    ScopeKind.ORGANIZATION: _("Mediation organization"),
    ScopeKind.REGULATOR: _("Financial regulator"),
    ScopeKind.COURT: _("Court"),
    ScopeKind.INSTITUTION: _("Financial institution"),
    ScopeKind.SYSTEM: _("All organizations"),
}

# Which roles, held in which kind of organization, give that organization's scope.
_ROLES_BY_KIND: dict[str, tuple[ScopeKind, frozenset[str]]] = {
    **{
        kind: (ScopeKind.ORGANIZATION, frozenset({Role.ORG_ADMIN, Role.AUDITOR}))
        for kind in MEDIATION_KINDS
    },
    OrgKind.REGULATOR: (
        ScopeKind.REGULATOR,
        frozenset({Role.ORG_ADMIN, Role.REGULATOR_OFFICER, Role.AUDITOR}),
    ),
    OrgKind.COURT: (ScopeKind.COURT, frozenset({Role.ORG_ADMIN, Role.COURT_CLERK, Role.AUDITOR})),
    OrgKind.FINANCIAL_INSTITUTION: (
        ScopeKind.INSTITUTION,
        frozenset({Role.ORG_ADMIN, Role.INSTITUTION_STAFF}),
    ),
}

SYSTEM_KEY = "system"


@dataclass(frozen=True)
class Scope:
    """One organization's view of the cases (``organization`` is ``None`` for ``system``)."""

    kind: ScopeKind
    organization: Organization | None = None

    @property
    def key(self) -> str:
        """The scope in a URL: the organization's code, or ``system``."""
        return self.organization.code if self.organization is not None else SYSTEM_KEY

    @property
    def label(self) -> str:
        if self.organization is None:
            return str(SCOPE_LABELS[ScopeKind.SYSTEM])
        return self.organization.name

    def case_q(self, prefix: str = "") -> Q:
        """The condition on ``Case`` (through ``prefix``, e.g. ``"case__"``) for this scope."""
        organization = self.organization
        if self.kind == ScopeKind.SYSTEM or organization is None:
            return Q()

        def q(**lookups: object) -> Q:
            return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

        if self.kind == ScopeKind.ORGANIZATION:
            return q(organization=organization)
        if self.kind == ScopeKind.INSTITUTION:
            return q(respondent=organization)
        own = (
            q(referred_by=organization)
            if self.kind == ScopeKind.REGULATOR
            else q(court=organization)
        )
        region = organization.region.strip()
        if region:
            # The region's organizations by id (a handful), not a join on their region: the
            # OR of two indexed columns can then be planned as two index scans (bench/oversight).
            in_region = list(
                Organization.objects.filter(region=region).values_list("pk", flat=True)
            )
            return own | q(organization_id__in=in_region)
        return own

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.case_q())

    def sees_region_of(self, organization: Organization) -> bool:
        """Whether a mediation organization's figures belong to this scope's region."""
        if self.kind == ScopeKind.SYSTEM:
            return True
        if self.organization is None:
            return False
        if self.kind == ScopeKind.ORGANIZATION:
            return organization.pk == self.organization.pk
        region = self.organization.region.strip()
        return bool(region) and organization.region.strip() == region


def scopes_for(user: User | AnonymousUser) -> list[Scope]:
    """The scopes ``user`` may watch, the system scope first for system administrators."""
    scopes: list[Scope] = []
    if not user.is_authenticated or not user.is_active:
        return scopes
    if is_sysadmin(user):
        scopes.append(Scope(ScopeKind.SYSTEM))
    seen: set[int] = set()
    for membership in active_memberships(user).order_by("organization__code"):
        organization = membership.organization
        if organization is None or organization.pk in seen or not organization.is_active:
            continue
        rule = _ROLES_BY_KIND.get(organization.kind)
        if rule is None or membership.role not in rule[1]:
            continue
        seen.add(organization.pk)
        scopes.append(Scope(rule[0], organization))
    return scopes


def scope_for(user: User | AnonymousUser, key: str, *kinds: ScopeKind) -> Scope:
    """The scope named ``key`` if ``user`` may watch it (and it is of one of ``kinds`` when
    given); :class:`Http404` otherwise, so that outsiders learn nothing."""
    for scope in scopes_for(user):
        if scope.key == key and (not kinds or scope.kind in kinds):
            return scope
    raise Http404("no such scope")
