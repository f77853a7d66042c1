"""The registry of mediation-first (先行调解) clauses in the institution's contracts (R17).

Events on the institution's chain: ``mediation_first_clause.created``, ``.updated`` (the
fields that changed, from and to; the contract name and the clause text by SHA-256) and
``.deleted``. Dates are written as ISO strings.

Refusals (nothing is written):

===========================  ====  ==========================================================
code                         HTTP  meaning
===========================  ====  ==========================================================
``permission_denied``        403   not staff or an administrator of the institution
``contract_required``        400   no contract or product name (field ``contract``)
``text_required``            400   no clause text (field ``text``)
``business_type_invalid``    400   not one of the listed business types
``not_mediation_org``        400   the organization named is not an active mediation
                                   organization (field ``organization``)
``dates_out_of_order``       400   in force until a day before it starts (``effective_to``)
``status_invalid``           400   neither in force nor withdrawn
===========================  ====  ==========================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.services import trace_append
from accord.cases.models import FINANCIAL_BUSINESS_TYPES
from accord.core.changes import apply_changes
from accord.institutions.models import ClauseStatus, MediationFirstClause
from accord.institutions.services import keeper_actor, refuse
from accord.orgs.models import MEDIATION_KINDS, Organization
from accord.orgs.services import org_chain
from accord.outcomes.services.common import text_sha256

HASHED_FIELDS = frozenset({"contract", "text"})


@dataclass(frozen=True, kw_only=True)
class ClauseInput:
    contract: str
    business_type: str
    text: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    organization: Organization | None = None
    status: str = ClauseStatus.IN_FORCE
    published: bool = False


def _clean(data: ClauseInput) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "contract": data.contract.strip(),
        "business_type": data.business_type,
        "text": data.text.strip(),
        "organization": data.organization,
        "effective_from": data.effective_from,
        "effective_to": data.effective_to,
        "status": data.status,
        "published": bool(data.published),
    }
    if not cleaned["contract"]:
        raise refuse(_("Name the contract or product."), code="contract_required", field="contract")
    if data.business_type not in FINANCIAL_BUSINESS_TYPES:
        raise refuse(
            _("Choose a financial business type."),
            code="business_type_invalid",
            field="business_type",
        )
    if not cleaned["text"]:
        raise refuse(_("Enter the clause's text."), code="text_required", field="text")
    organization = data.organization
    if organization is not None and (
        organization.kind not in MEDIATION_KINDS or not organization.is_active
    ):
        raise refuse(
            _("Choose an active mediation organization."),
            code="not_mediation_org",
            field="organization",
        )
    if data.effective_to is not None and data.effective_to < data.effective_from:
        raise refuse(
            _("The clause cannot end before it starts."),
            code="dates_out_of_order",
            field="effective_to",
        )
    if data.status not in ClauseStatus.values:
        raise refuse(_("Choose in force or withdrawn."), code="status_invalid", field="status")
    return cleaned


def _traced(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "organization":
        return value.pk if isinstance(value, Organization) else value
    if field in HASHED_FIELDS:
        return {"sha256": text_sha256(str(value))}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _summary(clause: MediationFirstClause) -> dict[str, Any]:
    return {
        "clause_id": clause.pk,
        "contract_sha256": text_sha256(clause.contract),
        "text_sha256": text_sha256(clause.text),
        "business_type": clause.business_type,
        "organization_id": clause.organization_id,
        "effective_from": clause.effective_from.isoformat(),
        "effective_to": clause.effective_to.isoformat() if clause.effective_to else None,
        "status": clause.status,
        "published": clause.published,
    }


def clause_create(
    *, institution: Organization, user: User, data: ClauseInput
) -> MediationFirstClause:
    actor = keeper_actor(user, institution)
    cleaned = _clean(data)
    with transaction.atomic():
        clause = MediationFirstClause.objects.create(institution=institution, **cleaned)
        trace_append(
            chain=org_chain(institution),
            action="mediation_first_clause.created",
            actor=actor,
            payload=_summary(clause),
        )
    return clause


def clause_update(
    *, clause: MediationFirstClause, user: User, data: ClauseInput
) -> MediationFirstClause:
    """Edit (withdraw, publish, unpublish...) a clause; no change, no event."""
    institution = clause.institution
    actor = keeper_actor(user, institution)
    cleaned = _clean(data)
    with transaction.atomic():
        locked = MediationFirstClause.objects.select_for_update().get(pk=clause.pk)
        changes = apply_changes(locked, cleaned)
        if not changes:
            return locked
        locked.save(update_fields=[*sorted(changes), "updated_at"])
        traced = {
            field: {key: _traced(field, value) for key, value in change.items()}
            for field, change in changes.items()
        }
        trace_append(
            chain=org_chain(institution),
            action="mediation_first_clause.updated",
            actor=actor,
            payload={"clause_id": locked.pk, "changes": traced},
        )
    return locked


def clause_delete(*, clause: MediationFirstClause, user: User) -> None:
    institution = clause.institution
    actor = keeper_actor(user, institution)
    with transaction.atomic():
        locked = MediationFirstClause.objects.select_for_update().get(pk=clause.pk)
        payload = {"clause_id": locked.pk, "contract_sha256": text_sha256(locked.contract)}
        locked.delete()
        trace_append(
            chain=org_chain(institution),
            action="mediation_first_clause.deleted",
            actor=actor,
            payload=payload,
        )
