"""Who sees and manages which memoranda, and the proposals of a case."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accord.accounts.models import User
from accord.cases.models import Case
from accord.orgs.models import MEDIATION_KINDS, Organization, OrgKind, Role
from accord.orgs.selectors import organizations_where
from accord.smallclaims.models import Memorandum, Proposal, ProposalStatus


def mediation_orgs_of(user: User | AnonymousUser) -> QuerySet[Organization]:
    """The active mediation organizations ``user`` administers."""
    return organizations_where(user, Role.ORG_ADMIN).filter(
        is_active=True, kind__in=list(MEDIATION_KINDS)
    )


def institutions_of(user: User | AnonymousUser) -> QuerySet[Organization]:
    """The active financial institutions ``user`` is staff (or administrator) of."""
    return organizations_where(user, Role.INSTITUTION_STAFF, Role.ORG_ADMIN).filter(
        is_active=True, kind=OrgKind.FINANCIAL_INSTITUTION
    )


def may_manage_memoranda(user: User | AnonymousUser) -> bool:
    return mediation_orgs_of(user).exists() or institutions_of(user).exists()


def memoranda_for(user: User | AnonymousUser) -> QuerySet[Memorandum]:
    """The memoranda ``user`` manages: those of the organizations and institutions they act
    for."""
    return (
        Memorandum.objects.filter(
            Q(organization__in=mediation_orgs_of(user)) | Q(institution__in=institutions_of(user))
        )
        .select_related("organization", "institution")
        .order_by("-valid_from", "-id")
    )


def memorandum_for(user: User | AnonymousUser, pk: int) -> Memorandum | None:
    return memoranda_for(user).filter(pk=pk).first()


def proposals_of_case(case: Case) -> list[Proposal]:
    return list(
        Proposal.objects.filter(case=case)
        .select_related("document_version", "memorandum", "agreement")
        .order_by("-number")
    )


def open_proposal(case: Case) -> Proposal | None:
    return Proposal.objects.filter(case=case, status=ProposalStatus.ISSUED).first()


def proposal_of_case(case: Case, proposal_uuid: UUID | str) -> Proposal | None:
    return (
        Proposal.objects.filter(case=case, uuid=proposal_uuid)
        .select_related("document_version", "memorandum", "agreement")
        .first()
    )
