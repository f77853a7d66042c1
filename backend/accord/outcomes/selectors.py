"""Reads of the outcomes, already filtered by who may see them.

A case's agreements, obligations, applications and requests are read by whoever sees the case
(``cases.selectors.access_case``). Court clerks see the confirmation applications filed with
their court and the failed cases referred to it for litigation; notaries see the referrals to
their office — those, and not the rest of the case. Anyone else gets "not found".
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accord.accounts.models import User
from accord.cases.models import Case
from accord.orgs.models import Role
from accord.orgs.selectors import organizations_where
from accord.outcomes.models import (
    ConfirmationApplication,
    ConfirmationStatus,
    FailureRoute,
    MediationFailure,
    NotarizationRequest,
    NotarizationStatus,
    Obligation,
    SealedAgreement,
)

AnyUser = User | AnonymousUser


def agreements_of_case(case: Case) -> QuerySet[SealedAgreement]:
    return (
        SealedAgreement.objects.filter(case=case)
        .select_related(
            "version__document",
            "confirmation__court",
            "confirmation__statement",
            "notarization__notary_office",
            "notarization__referral",
        )
        .prefetch_related("obligations")
        .order_by("created_at", "id")
    )


def agreement_of_case(case: Case, version: UUID | str) -> SealedAgreement | None:
    try:
        wanted = version if isinstance(version, UUID) else UUID(str(version))
    except ValueError:
        return None
    return agreements_of_case(case).filter(version__uuid=wanted).first()


def latest_agreement(case: Case) -> SealedAgreement | None:
    return agreements_of_case(case).order_by("-created_at", "-id").first()


def obligation_of_case(case: Case, obligation_id: int) -> Obligation | None:
    return Obligation.objects.filter(case=case, pk=obligation_id).first()


def confirmation_of_case(case: Case, uuid: UUID | str) -> ConfirmationApplication | None:
    try:
        wanted = uuid if isinstance(uuid, UUID) else UUID(str(uuid))
    except ValueError:
        return None
    return ConfirmationApplication.objects.filter(case=case, uuid=wanted).first()


def notarization_of_case(case: Case, uuid: UUID | str) -> NotarizationRequest | None:
    try:
        wanted = uuid if isinstance(uuid, UUID) else UUID(str(uuid))
    except ValueError:
        return None
    return NotarizationRequest.objects.filter(case=case, uuid=wanted).first()


def failure_of(case: Case) -> MediationFailure | None:
    return (
        MediationFailure.objects.filter(case=case)
        .select_related("notice", "referred_to", "issued_by")
        .first()
    )


def overdue_obligations(case: Case) -> list[Obligation]:
    return [o for o in Obligation.objects.filter(case=case, status="pending") if o.is_overdue]


# --- Court clerks ---------------------------------------------------------------------------


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def court_confirmations(user: AnyUser) -> QuerySet[ConfirmationApplication]:
    """The applications filed with the courts where ``user`` is a clerk (awaiting a ruling
    first, newest first)."""
    clerk = _active(user)
    if clerk is None:
        return ConfirmationApplication.objects.none()
    return (
        ConfirmationApplication.objects.filter(
            court__in=organizations_where(clerk, Role.COURT_CLERK),
        )
        .exclude(status=ConfirmationStatus.AWAITING_CONSENT)
        .select_related("case", "court", "agreement__version")
        .order_by("-filed_at", "-id")
    )


def access_court_confirmation(user: AnyUser, uuid: UUID) -> ConfirmationApplication:
    found = court_confirmations(user).filter(uuid=uuid).first()
    if found is None:
        raise Http404("no such application")
    return found


def court_referrals(user: AnyUser) -> QuerySet[MediationFailure]:
    """Failed cases referred for litigation to the courts where ``user`` is a clerk."""
    clerk = _active(user)
    if clerk is None:
        return MediationFailure.objects.none()
    return (
        MediationFailure.objects.filter(
            route=FailureRoute.LITIGATION,
            referred_to__in=organizations_where(clerk, Role.COURT_CLERK),
        )
        .select_related("case", "referred_to", "notice")
        .order_by("-referred_at", "-id")
    )


def access_court_referral(user: AnyUser, case_no: str) -> MediationFailure:
    found = court_referrals(user).filter(case__case_no=case_no).first()
    if found is None:
        raise Http404("no such referral")
    return found


def is_court_clerk(user: AnyUser) -> bool:
    clerk = _active(user)
    return clerk is not None and organizations_where(clerk, Role.COURT_CLERK).exists()


# --- Notaries -------------------------------------------------------------------------------


def notary_referrals(user: AnyUser) -> QuerySet[NotarizationRequest]:
    """The requests referred to the notary offices where ``user`` is a notary."""
    notary = _active(user)
    if notary is None:
        return NotarizationRequest.objects.none()
    return (
        NotarizationRequest.objects.filter(
            notary_office__in=organizations_where(notary, Role.NOTARY),
        )
        .exclude(status=NotarizationStatus.AWAITING_CONSENT)
        .select_related("case", "notary_office", "referral", "agreement__version")
        .order_by("-referred_at", "-id")
    )


def access_notary_referral(user: AnyUser, uuid: UUID) -> NotarizationRequest:
    found = notary_referrals(user).filter(uuid=uuid).first()
    if found is None:
        raise Http404("no such referral")
    return found


def is_notary(user: AnyUser) -> bool:
    notary = _active(user)
    return notary is not None and organizations_where(notary, Role.NOTARY).exists()
