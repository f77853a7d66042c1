"""Reads of the institutions app: who keeps which institution, its public page, its dispute
list and its screening report (R17).

The case set of an institution is ``analytics.scope.Scope(ScopeKind.INSTITUTION, ...)``: the
cases brought against it. The report counts them with GROUP BY in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case as Switch
from django.db.models import CharField, Count, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.analytics.scope import Scope, ScopeKind
from accord.cases.models import BusinessType, Case, CaseState
from accord.institutions.models import ClauseStatus, MediationContact, MediationFirstClause
from accord.orgs.models import MEDIATION_KINDS, ComplaintChannel, Organization, OrgKind, Role
from accord.orgs.selectors import active_memberships, organizations_where

KEEPER_ROLES = (Role.INSTITUTION_STAFF, Role.ORG_ADMIN)


def institutions_kept_by(user: User | AnonymousUser) -> QuerySet[Organization]:
    """The active financial institutions whose staff (or administrator) ``user`` is."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return (
        organizations_where(user, *KEEPER_ROLES)
        .filter(is_active=True, kind=OrgKind.FINANCIAL_INSTITUTION)
        .order_by("code")
    )


def keeps_institutions(user: User | AnonymousUser) -> bool:
    return institutions_kept_by(user).exists()


def keeper_role(user: User | AnonymousUser, institution: Organization) -> str | None:
    """The role in which ``user`` keeps ``institution`` (staff first), or ``None``."""
    if not user.is_authenticated or not user.is_active or not institution.is_active:
        return None
    if institution.kind != OrgKind.FINANCIAL_INSTITUTION:
        return None
    roles = set(
        active_memberships(user)
        .filter(organization=institution, role__in=KEEPER_ROLES)
        .values_list("role", flat=True)
    )
    for role in KEEPER_ROLES:
        if role in roles:
            return role
    return None


def institution_kept_or_404(user: User | AnonymousUser, code: str) -> Organization:
    """The institution ``code`` if ``user`` keeps it; 404 otherwise (outsiders learn nothing)."""
    institution = institutions_kept_by(user).filter(code=code).first()
    if institution is None:
        raise Http404("no such institution")
    return institution


def institution_scope(institution: Organization) -> Scope:
    return Scope(ScopeKind.INSTITUTION, institution)


def mediation_organizations() -> QuerySet[Organization]:
    """The organizations an institution may name as its mediation contact or in a clause."""
    return Organization.objects.filter(kind__in=list(MEDIATION_KINDS), is_active=True).order_by(
        "name"
    )


# --- Public page ------------------------------------------------------------------


@dataclass
class PublicPage:
    institution: Organization
    internal_channels: list[ComplaintChannel]
    external_channels: list[ComplaintChannel]
    contacts: list[MediationContact]
    clauses: list[MediationFirstClause]


def public_institution(code: str) -> PublicPage:
    institution = get_object_or_404(
        Organization, code=code, kind=OrgKind.FINANCIAL_INSTITUTION, is_active=True
    )
    channels = list(institution.complaint_channels.all())
    return PublicPage(
        institution=institution,
        internal_channels=[c for c in channels if c.scope == ComplaintChannel.Scope.INTERNAL],
        external_channels=[c for c in channels if c.scope == ComplaintChannel.Scope.EXTERNAL],
        contacts=list(
            MediationContact.objects.filter(
                institution=institution, organization__is_active=True
            ).select_related("organization")
        ),
        clauses=list(
            MediationFirstClause.objects.filter(
                institution=institution, published=True, status=ClauseStatus.IN_FORCE
            ).select_related("organization")
        ),
    )


# --- Stages -----------------------------------------------------------------------


class StageGroup:
    NEW = "new"
    MEDIATING = "mediating"
    AGREEMENT = "agreement"
    NOT_AGREED = "not_agreed"
    OTHER_ENDED = "other_ended"


STAGE_GROUPS: dict[str, tuple[str, ...]] = {
    StageGroup.NEW: (CaseState.SUBMITTED, CaseState.ACCEPTED),
    StageGroup.MEDIATING: (CaseState.ASSIGNED, CaseState.MEDIATING),
    StageGroup.AGREEMENT: (CaseState.AGREEMENT,),
    StageGroup.NOT_AGREED: (CaseState.FAILED,),
    StageGroup.OTHER_ENDED: (
        CaseState.DECLINED,
        CaseState.TERMINATED,
        CaseState.WITHDRAWN,
        CaseState.NOT_MEDIATED,
        CaseState.CLOSED,
    ),
}

STAGE_LABELS = {
    StageGroup.NEW: _("New"),
    StageGroup.MEDIATING: _("In mediation"),
    StageGroup.AGREEMENT: _("Agreement"),
    StageGroup.NOT_AGREED: _("Not agreed"),
    StageGroup.OTHER_ENDED: _("Other ended"),
}

STAGE_CHOICES = [(key, STAGE_LABELS[key]) for key in STAGE_GROUPS]


def _stage_expression() -> Switch:
    return Switch(
        *[When(state__in=list(states), then=Value(key)) for key, states in STAGE_GROUPS.items()],
        default=Value(StageGroup.OTHER_ENDED),
        output_field=CharField(),
    )


# --- Dispute list -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    state: str = ""
    stage: str = ""
    business_type: str = ""
    product: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _in_period(
    cases: QuerySet[Case], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[Case]:
    if date_from is not None:
        cases = cases.filter(created_at__date__gte=date_from)
    if date_to is not None:
        cases = cases.filter(created_at__date__lte=date_to)
    return cases


def institution_cases(institution: Organization, wanted: CaseFilter) -> QuerySet[Case]:
    """The cases brought against ``institution``, filtered, newest first."""
    cases = institution_scope(institution).cases()
    if wanted.state:
        cases = cases.filter(state=wanted.state)
    if wanted.stage in STAGE_GROUPS:
        cases = cases.filter(state__in=list(STAGE_GROUPS[wanted.stage]))
    if wanted.business_type:
        cases = cases.filter(business_type=wanted.business_type)
    if wanted.product:
        cases = cases.filter(product__icontains=wanted.product)
    cases = _in_period(cases, wanted.date_from, wanted.date_to)
    return cases.select_related("organization").order_by("-created_at", "-id")


# --- Screening report ---------------------------------------------------------------


@dataclass
class ReportRow:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(stage, 0) for stage in STAGE_GROUPS]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Report:
    by_product: list[ReportRow]
    by_business_type: list[ReportRow]
    totals: ReportRow

    @property
    def stage_labels(self) -> list[str]:
        return [str(STAGE_LABELS[key]) for key in STAGE_GROUPS]


def _grouped(cases: QuerySet[Case], column: str) -> dict[str, dict[str, int]]:
    rows = (
        cases.order_by()
        .annotate(stage=_stage_expression())
        .values(column, "stage")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for entry in rows:
        table.setdefault(str(entry[column] or ""), {})[str(entry["stage"])] = int(entry["n"])
    return table


def screening_report(
    institution: Organization, *, date_from: dt.date | None, date_to: dt.date | None
) -> Report:
    """Counts of the institution's cases per product × stage group and per business type ×
    stage group, for cases that came in during the period (both ends included)."""
    cases = _in_period(institution_scope(institution).cases(), date_from, date_to)
    products = _grouped(cases, "product")
    no_product = str(_("(no product given)"))
    by_product = [
        ReportRow(key=name, label=name or no_product, counts=counts)
        for name, counts in sorted(products.items(), key=lambda item: (not item[0], item[0]))
    ]
    labels = dict(BusinessType.choices)
    types = _grouped(cases, "business_type")
    by_business_type = [
        ReportRow(key=key, label=str(labels.get(key, key)), counts=types[key])
        for key in BusinessType.values
        if key in types
    ]
    totals: dict[str, int] = {}
    for counts in products.values():
        for stage, n in counts.items():
            totals[stage] = totals.get(stage, 0) + n
    return Report(
        by_product=by_product,
        by_business_type=by_business_type,
        totals=ReportRow(key="", label=str(_("All cases")), counts=totals),
    )
