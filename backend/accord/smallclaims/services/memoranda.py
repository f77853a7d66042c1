"""Memoranda of the small-claim fast track (R8): entered, corrected and deleted by either side
— administrators of the mediation organization, staff (or administrators) of the financial
institution.

Each write runs in one transaction and appends one event to the mediation organization's
chain (``org:<CODE>``, as its rules and roster are): ``memorandum.created``,
``memorandum.updated`` (the fields that changed, from and to) and ``memorandum.deleted``.
A memorandum holds no personal data; amounts and dates are written as strings.

Refusals (nothing is written):

==========================  ====  ================================================================
code                        HTTP  meaning
==========================  ====  ================================================================
``permission_denied``       403   not an administrator of the organization nor staff of the
                                  institution
``invalid_counterparty``    400   the organization is not an active mediation organization, or
                                  the institution not an active financial institution
``invalid``                 400   a field is malformed (threshold, categories, answer days, dates)
``dates_out_of_order``      400   valid until before valid from, or signed after it ends
``memorandum_overlap``      409   the same pair has a memorandum valid on some of these days
``memorandum_in_use``       409   a proposal relied on it: it cannot be deleted (shorten it)
==========================  ====  ================================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed
from accord.cases.models import FINANCIAL_BUSINESS_TYPES, BusinessType, DisputeNature
from accord.core.api import ConflictError, ServiceError
from accord.orgs.models import Organization, OrgKind, Role
from accord.orgs.selectors import has_role
from accord.orgs.services import org_chain
from accord.smallclaims.models import Memorandum

MAX_THRESHOLD = Decimal("100000000.00")  # a hundred million yuan: anything above is a typo
MAX_ANSWER_DAYS = 30
REFERENCE_MAX = 100


def _refuse(message: str, *, code: str = "invalid", field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


@dataclass(frozen=True, kw_only=True)
class MemorandumInput:
    threshold: Decimal
    business_types: list[str]
    valid_from: dt.date
    valid_to: dt.date
    signed_on: dt.date
    dispute_natures: list[str] = field(
        default_factory=lambda: [DisputeNature.CIVIL_COMMERCIAL.value]
    )
    answer_days: int = 5
    reference: str = ""


def acting_role(user: User, *, organization: Organization, institution: Organization) -> str | None:
    """The role in which ``user`` acts on the memorandum of this pair, or ``None``."""
    if not user.is_active:
        return None
    if has_role(user, Role.ORG_ADMIN, organization):
        return Role.ORG_ADMIN
    if has_role(user, Role.INSTITUTION_STAFF, institution):
        return Role.INSTITUTION_STAFF
    if has_role(user, Role.ORG_ADMIN, institution):
        return Role.ORG_ADMIN
    return None


def _actor(user: User, *, organization: Organization, institution: Organization) -> Actor:
    role = acting_role(user, organization=organization, institution=institution)
    if role is None:
        raise NotAllowed(
            _(
                "Only administrators of the mediation organization and staff of the financial "
                "institution manage their memoranda."
            )
        )
    return Actor.for_user(user, role=role)


def _check_pair(organization: Organization, institution: Organization) -> None:
    if not (organization.is_mediation_org and organization.is_active):
        raise _refuse(
            _("Choose an active mediation organization."),
            code="invalid_counterparty",
            field="organization",
        )
    if institution.kind != OrgKind.FINANCIAL_INSTITUTION or not institution.is_active:
        raise _refuse(
            _("Choose an active financial institution."),
            code="invalid_counterparty",
            field="institution",
        )


def _ordered(values: list[str], allowed: list[str], *, field: str, message: str) -> list[str]:
    chosen = set(values)
    if not chosen or not chosen <= set(allowed):
        raise _refuse(message, field=field)
    return [value for value in allowed if value in chosen]


def clean_memorandum(data: MemorandumInput) -> MemorandumInput:
    """The input checked and normalized (categories once each, in the lists' order)."""
    try:
        threshold = Decimal(data.threshold)
    except (InvalidOperation, TypeError, ValueError):
        raise _refuse(_("Enter an amount in yuan."), field="threshold") from None
    if (
        not threshold.is_finite()
        or threshold <= 0
        or threshold > MAX_THRESHOLD
        or threshold != threshold.quantize(Decimal("0.01"))
    ):
        message = _("Enter an amount above zero, in yuan with at most two decimals.")
        raise _refuse(message, field="threshold")
    business_types = _ordered(
        data.business_types,
        [value for value in BusinessType.values if value in FINANCIAL_BUSINESS_TYPES],
        field="business_types",
        message=_("Choose at least one kind of financial business."),
    )
    dispute_natures = _ordered(
        data.dispute_natures,
        list(DisputeNature.values),
        field="dispute_natures",
        message=_("Choose at least one nature of dispute."),
    )
    if isinstance(data.answer_days, bool) or not 1 <= data.answer_days <= MAX_ANSWER_DAYS:
        message = _("Enter a number of working days from 1 to %(max)d.") % {"max": MAX_ANSWER_DAYS}
        raise _refuse(message, field="answer_days")
    if data.valid_to < data.valid_from:
        raise _refuse(
            _("The memorandum cannot end before it starts."),
            code="dates_out_of_order",
            field="valid_to",
        )
    if data.signed_on > timezone.localdate():
        raise _refuse(_("The signing date cannot be in the future."), field="signed_on")
    if data.signed_on > data.valid_to:
        raise _refuse(
            _("The memorandum cannot be signed after it ends."),
            code="dates_out_of_order",
            field="signed_on",
        )
    reference = " ".join(data.reference.split())
    if len(reference) > REFERENCE_MAX:
        message = _("At most %(max)d characters.") % {"max": REFERENCE_MAX}
        raise _refuse(message, field="reference")
    return MemorandumInput(
        threshold=threshold,
        business_types=business_types,
        dispute_natures=dispute_natures,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        signed_on=data.signed_on,
        answer_days=data.answer_days,
        reference=reference,
    )


def _values(data: MemorandumInput) -> dict[str, object]:
    return {
        "reference": data.reference,
        "threshold": data.threshold,
        "business_types": data.business_types,
        "dispute_natures": data.dispute_natures,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "signed_on": data.signed_on,
        "answer_days": data.answer_days,
    }


def _json(value: object) -> object:
    """A field's value as the trace writes it (canonical JSON: no decimals, no dates)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_no_overlap(
    *, organization: Organization, institution: Organization, data: MemorandumInput, pk: int | None
) -> None:
    overlapping = Memorandum.objects.filter(
        organization=organization,
        institution=institution,
        valid_from__lte=data.valid_to,
        valid_to__gte=data.valid_from,
    )
    if pk is not None:
        overlapping = overlapping.exclude(pk=pk)
    other = overlapping.order_by("valid_from").first()
    if other is not None:
        message = _(
            "Another memorandum of %(institution)s with this organization is valid from "
            "%(start)s to %(end)s: periods cannot overlap."
        ) % {
            "institution": institution.name,
            "start": other.valid_from.isoformat(),
            "end": other.valid_to.isoformat(),
        }
        raise ConflictError(message, code="memorandum_overlap", fields={"valid_from": [message]})


def _lock_pair(organization: Organization) -> None:
    """Serialize the writers of one organization's memoranda (the overlap check reads)."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def memorandum_create(
    *, organization: Organization, institution: Organization, data: MemorandumInput, by: User
) -> Memorandum:
    """A new memorandum between ``organization`` (a mediation organization) and
    ``institution``, entered by either side. Trace ``memorandum.created``."""
    actor = _actor(by, organization=organization, institution=institution)
    _check_pair(organization, institution)
    data = clean_memorandum(data)
    with transaction.atomic():
        _lock_pair(organization)
        _check_no_overlap(organization=organization, institution=institution, data=data, pk=None)
        memorandum = Memorandum.objects.create(
            organization=organization,
            institution=institution,
            created_by=by,
            reference=data.reference,
            threshold=data.threshold,
            business_types=data.business_types,
            dispute_natures=data.dispute_natures,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            signed_on=data.signed_on,
            answer_days=data.answer_days,
        )
        trace_append(
            chain=org_chain(organization),
            action="memorandum.created",
            actor=actor,
            payload={
                "memorandum_id": memorandum.pk,
                "organization": organization.code,
                "institution": institution.code,
                **{name: _json(value) for name, value in _values(data).items()},
            },
        )
    return memorandum


def memorandum_update(*, memorandum: Memorandum, data: MemorandumInput, by: User) -> Memorandum:
    """Correct a memorandum (its parties stay); no change, no event. Proposals already issued
    keep the threshold they were issued under. Trace ``memorandum.updated``."""
    organization, institution = memorandum.organization, memorandum.institution
    actor = _actor(by, organization=organization, institution=institution)
    data = clean_memorandum(data)
    with transaction.atomic():
        _lock_pair(organization)
        locked = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
        _check_no_overlap(
            organization=organization, institution=institution, data=data, pk=locked.pk
        )
        wanted = _values(data)
        changes = {
            name: {"from": _json(getattr(locked, name)), "to": _json(value)}
            for name, value in wanted.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return locked
        for name in changes:
            setattr(locked, name, wanted[name])
        locked.save(update_fields=[*sorted(changes), "updated_at"])
        trace_append(
            chain=org_chain(organization),
            action="memorandum.updated",
            actor=actor,
            payload={"memorandum_id": locked.pk, "changes": changes},
        )
    return locked


def memorandum_delete(*, memorandum: Memorandum, by: User) -> None:
    """Delete a memorandum entered by mistake. One a proposal relied on stays (its period can
    be shortened instead). Trace ``memorandum.deleted``."""
    organization, institution = memorandum.organization, memorandum.institution
    actor = _actor(by, organization=organization, institution=institution)
    with transaction.atomic():
        _lock_pair(organization)
        locked = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
        if locked.proposals.exists():
            raise ConflictError(
                _(
                    "Proposals were issued under this memorandum: it cannot be deleted. Change "
                    "its end date to end it."
                ),
                code="memorandum_in_use",
            )
        payload = {
            "memorandum_id": locked.pk,
            "organization": organization.code,
            "institution": institution.code,
        }
        locked.delete()
        trace_append(
            chain=org_chain(organization), action="memorandum.deleted", actor=actor, payload=payload
        )
