"""Entrustments (人民法院委托调解, R7, R11, R12): a court pushes one, the organization accepts it
(the case opens, the day it signed for the materials starts the court's period) or declines it
with reasons; the court is told either way by a signed callback.

Trace events on the receiving organization's chain: ``entrustment.received`` (the body's hash,
never the parties' data), ``entrustment.accepted`` (also on the new case's chain),
``entrustment.declined`` (the reason's hash).

Refusals (``ServiceError``, nothing written):

=======================  ====================================================================
code                     meaning
=======================  ====================================================================
``validation_failed``    (400) the push names something Accord cannot take, by field
``conflict``             (409) another body was already pushed under this court case number
``permission_denied``    (403) deciding: not an administrator of the receiving organization
``not_pending``          (409) deciding: the entrustment was already decided
``invalid_date``         (400) accepting: signed for before it arrived, or in the future
``reason_required``      (400) declining without a reason
=======================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import canonical_json
from accord.audit.services import trace_append
from accord.cases.errors import OutOfScope
from accord.cases.models import ApplicantType, Case, CaseComplexity
from accord.cases.scope import CaseApplication, check_application
from accord.cases.selectors import organization_staff
from accord.cases.services import case_accept, case_entrust_by_court
from accord.cases.services.transitions import case_trace
from accord.core.api import ConflictError, ServiceError
from accord.courts.models import (
    CourtDocking,
    CourtKey,
    Entrustment,
    EntrustmentMaterial,
    EntrustmentStatus,
)
from accord.courts.services.common import docking_chain, require_admin
from accord.inbox.services import notify
from accord.orgs.models import MEDIATION_KINDS, Organization, OrgKind, Role

REASON_MAX = 2000

# CaseApplication's field → the push body's field, so that a refusal names what the court sent.
FIELD_NAMES = {
    "organization": "organization",
    "respondent": "respondent.org_code",
    "applicant_type": "applicant.kind",
    "applicant_name": "applicant.name",
    "applicant_phone": "applicant.phone",
    "applicant_id_number": "applicant.id_number",
    "business_type": "business_type",
    "amount": "amount",
    "description": "claims",
    "claims": "claims",
}


@dataclass(frozen=True)
class Received:
    entrustment: Entrustment
    created: bool


def _invalid(fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(
        _("The entrustment has invalid fields."), code="validation_failed", fields=fields
    )


def body_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def allowed_hosts(docking: CourtDocking | None) -> set[str]:
    """Where a material may be fetched from: the hosts the docking lists, else its callback
    URL's host."""
    if docking is None:
        return set()
    listed = {host.strip().lower() for host in docking.material_hosts.split(",") if host.strip()}
    if listed:
        return listed
    netloc = urlsplit(docking.callback_url).netloc.lower()
    return {netloc} if netloc else set()


def _host_allowed(url: str, hosts: set[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    netloc = parts.netloc.lower()
    return netloc in hosts or (parts.hostname or "").lower() in hosts


def _receiving_organization(docking: CourtDocking | None, code: str) -> Organization:
    if code:
        organization = Organization.objects.filter(code=code).first()
    else:
        organization = docking.default_organization if docking else None
    if organization is None or organization.kind not in MEDIATION_KINDS:
        raise _invalid(
            {"organization": [_("Name an active mediation organization this court docks with.")]}
        )
    if not organization.is_active:
        raise _invalid({"organization": [_("This mediation organization is not active.")]})
    return organization


def _application(
    organization: Organization, respondent: Organization | None, data: dict[str, Any]
) -> CaseApplication:
    applicant = data["applicant"]
    kind = applicant["kind"]
    return CaseApplication(
        organization=organization,
        respondent=respondent,
        applicant_type=kind,
        applicant_name=applicant["name"],
        applicant_phone=applicant.get("phone", ""),
        applicant_id_number=(
            applicant.get("id_number", "") if kind == ApplicantType.NATURAL_PERSON else ""
        ),
        credit_code=applicant.get("id_number", "") if kind != ApplicantType.NATURAL_PERSON else "",
        business_type=data["business_type"],
        description=data["claims"],
        claims=data["claims"],
        amount=Decimal(data["amount"]) if data.get("amount") not in (None, "") else None,
    )


def application_of(entrustment: Entrustment) -> CaseApplication:
    """The case application an accepted entrustment opens."""
    kind = entrustment.applicant_kind
    natural = kind == ApplicantType.NATURAL_PERSON
    return CaseApplication(
        organization=entrustment.organization,
        respondent=entrustment.respondent,
        applicant_type=kind,
        applicant_name=entrustment.applicant_name,
        applicant_phone=entrustment.applicant_phone,
        applicant_id_number=entrustment.applicant_id_number if natural else "",
        credit_code="" if natural else entrustment.applicant_id_number,
        business_type=entrustment.business_type,
        description=entrustment.claims,
        claims=entrustment.claims,
        amount=entrustment.amount,
    )


def entrustment_receive(*, key: CourtKey, data: dict[str, Any]) -> Received:
    """A court pushes an entrustment (``data``: the validated body of
    ``POST /api/court/v1/entrustments``). Idempotent on the court case number per court.

    The application is checked as every intake channel's is (scope, parties, amount); a
    material's URL must point at a host the court's docking allows."""
    court = key.court
    docking = CourtDocking.objects.filter(court=court).first()
    digest = body_hash(data)
    court_case_no = data["court_case_no"].strip()
    existing = Entrustment.objects.filter(court=court, court_case_no=court_case_no).first()
    if existing is not None:
        return _same_or_conflict(existing, digest)
    organization = _receiving_organization(docking, data.get("organization", ""))
    respondent_code = data["respondent"]["org_code"].strip()
    respondent = Organization.objects.filter(
        code=respondent_code, kind=OrgKind.FINANCIAL_INSTITUTION
    ).first()
    application = _application(organization, respondent, data)
    fields: dict[str, list[str]] = {}
    if respondent is None:
        fields["respondent.org_code"] = [_("No financial institution on Accord has this code.")]
    hosts = allowed_hosts(docking)
    for index, material in enumerate(data.get("materials", [])):
        if not _host_allowed(material["url"], hosts):
            fields[f"materials.{index}.url"] = [
                _("Materials are fetched only from the hosts this court's docking allows.")
            ]
    try:
        check_application(application)
    except (OutOfScope, ServiceError) as exc:
        for name, messages in exc.fields.items():
            fields.setdefault(FIELD_NAMES.get(name, name), []).extend(messages)
    if fields:
        raise _invalid(fields)
    try:
        with transaction.atomic():
            entrustment = Entrustment.objects.create(
                court=court,
                organization=organization,
                key=key,
                court_case_no=court_case_no,
                kind=data["kind"],
                applicant_name=application.applicant_name,
                applicant_kind=application.applicant_type,
                applicant_phone=application.applicant_phone,
                applicant_id_number=data["applicant"].get("id_number", ""),
                respondent_name=data["respondent"]["name"],
                respondent_code=respondent_code,
                respondent=respondent,
                business_type=application.business_type,
                claims=application.claims,
                amount=application.amount,
                body_sha256=digest,
            )
            for position, material in enumerate(data.get("materials", [])):
                EntrustmentMaterial.objects.create(
                    entrustment=entrustment,
                    position=position,
                    name=material["name"],
                    sha256=material["sha256"].lower(),
                    url=material["url"],
                )
            trace_append(
                chain=docking_chain(organization),
                action="entrustment.received",
                actor=Actor.system(f"court-platform:{court.code}"),
                payload={
                    "entrustment": str(entrustment.uuid),
                    "court": court.pk,
                    "court_case_no": court_case_no,
                    "kind": entrustment.kind,
                    "body_sha256": digest,
                    "key_id": key.key_id,
                    "materials": [
                        {"position": p, "sha256": m["sha256"].lower()}
                        for p, m in enumerate(data.get("materials", []))
                    ],
                },
            )
            notify(
                organization_staff(organization, Role.ORG_ADMIN),
                kind="entrustment.received",
                text=_("%(court)s entrusted case %(no)s to your organization; accept or decline.")
                % {"court": court.name, "no": court_case_no},
                url=inbox_path(entrustment),
            )
            from accord.courts.tasks import queue_material_fetches  # the tasks import services

            queue_material_fetches(entrustment)
    except IntegrityError:
        # Two pushes of one number at once: the other one won; answer as to a repeat.
        existing = Entrustment.objects.get(court=court, court_case_no=court_case_no)
        return _same_or_conflict(existing, digest)
    return Received(entrustment=entrustment, created=True)


def _same_or_conflict(existing: Entrustment, digest: str) -> Received:
    if existing.body_sha256 != digest:
        raise ConflictError(
            _("Another entrustment was already pushed under this court case number."),
            code="conflict",
        )
    return Received(entrustment=existing, created=False)


def inbox_path(entrustment: Entrustment) -> str:
    from django.urls import reverse

    return reverse("courts:entrustment", kwargs={"uuid": entrustment.uuid})


def _lock_pending(entrustment: Entrustment) -> Entrustment:
    locked = (
        Entrustment.objects.select_for_update(of=("self",))
        .select_related("court", "organization", "respondent")
        .get(pk=entrustment.pk)
    )
    if locked.status != EntrustmentStatus.PENDING:
        raise ConflictError(_("This entrustment was already decided."), code="not_pending")
    return locked


def entrustment_accept(
    *,
    entrustment: Entrustment,
    user: User,
    materials_signed_on: dt.date,
    complexity: str = CaseComplexity.NORMAL,
) -> Case:
    """An administrator of the receiving organization accepts: the case opens (channel court,
    entrusted the day it arrived), is accepted at ``complexity``, and ``materials_signed_on``
    starts the court's period (R11). The court is told (``entrustment.accepted``)."""
    require_admin(user, entrustment.organization)
    today = timezone.localdate()
    received_on = timezone.localdate(entrustment.received_at)
    if materials_signed_on > today or materials_signed_on < received_on:
        message = _("The day of signing for the materials is between its arrival and today.")
        raise ServiceError(message, code="invalid_date", fields={"materials_signed_on": [message]})
    from accord.courts.services.callbacks import callback_enqueue, entrustment_status

    with transaction.atomic():
        locked = _lock_pending(entrustment)
        case = case_entrust_by_court(
            court=locked.court,
            application=application_of(locked),
            court_case_no=locked.court_case_no,
            entrusted_on=received_on,
            materials_signed_on=materials_signed_on,
        )
        case = case_accept(case=case, user=user, complexity=complexity)
        locked.status = EntrustmentStatus.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.case = case
        locked.save()
        actor = Actor.for_user(user, role=Role.ORG_ADMIN)
        payload = {
            "entrustment": str(locked.uuid),
            "court": locked.court_id,
            "court_case_no": locked.court_case_no,
            "case": case.pk,
            "materials_signed_on": materials_signed_on.isoformat(),
        }
        trace_append(
            chain=docking_chain(locked.organization),
            action="entrustment.accepted",
            actor=actor,
            payload=payload,
        )
        case_trace(locked=case, action="entrustment.accepted", actor=actor, payload=payload)
        callback_enqueue(
            entrustment=locked, kind="entrustment.accepted", data=entrustment_status(locked)
        )
    return case


def entrustment_decline(*, entrustment: Entrustment, user: User, reason: str) -> Entrustment:
    """An administrator of the receiving organization declines with reasons (R12); the court
    receives them (``entrustment.declined``)."""
    require_admin(user, entrustment.organization)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the organization declines the entrustment.")
        raise ServiceError(message, code="reason_required", fields={"reason": [message]})
    if len(reason) > REASON_MAX:
        message = _("At most %(n)d characters.") % {"n": REASON_MAX}
        raise ServiceError(message, code="too_long", fields={"reason": [message]})
    from accord.courts.services.callbacks import callback_enqueue

    with transaction.atomic():
        locked = _lock_pending(entrustment)
        locked.status = EntrustmentStatus.DECLINED
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.decline_reason = reason
        locked.save()
        trace_append(
            chain=docking_chain(locked.organization),
            action="entrustment.declined",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload={
                "entrustment": str(locked.uuid),
                "court": locked.court_id,
                "court_case_no": locked.court_case_no,
                "reason_sha256": hashlib.sha256(reason.encode("utf-8")).hexdigest(),
            },
        )
        callback_enqueue(entrustment=locked, kind="entrustment.declined", data={"reason": reason})
    return locked
