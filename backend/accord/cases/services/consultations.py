"""Consultations (咨询, R2): asked, answered, and turned into a case without retyping."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import canonical_json
from accord.audit.personal import seal, user_subject
from accord.audit.services import trace_append, trace_chain_create
from accord.cases.errors import NotAllowed
from accord.cases.models import (
    ApplicantType,
    BusinessType,
    Case,
    Consultation,
    ConsultationStatus,
    ConsultationTopic,
    IntakeChannel,
)
from accord.cases.payloads import (
    ConsultationAnswered,
    ConsultationConverted,
    ConsultationCreated,
)
from accord.cases.scope import (
    CaseApplication,
    Problems,
    check_amount,
    check_application,
    check_mediation_org,
    check_phone,
    check_respondent,
)
from accord.cases.selectors import consultation_application_draft, may_answer_consultation
from accord.cases.services.intake import open_case
from accord.core.api import ConflictError, ServiceError
from accord.orgs.models import Organization, Role
from accord.orgs.selectors import has_role


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def consultation_create(
    *,
    asker: User,
    topic: ConsultationTopic | str,
    organization: Organization | None,
    respondent: Organization | None,
    business_type: BusinessType | str,
    description: str,
    contact_name: str,
    contact_phone: str,
    applicant_type: ApplicantType | str = ApplicantType.NATURAL_PERSON,
    amount: Decimal | None = None,
) -> Consultation:
    """``asker`` asks ``organization`` (a mediation organization) about a dispute
    with ``respondent`` (a financial institution).

    A question may concern a dispute the platform cannot take (that is often
    the question), so "not financial business" is accepted here; the scope
    check runs when the consultation becomes a case. Raises ``ServiceError``
    (``invalid``, or ``out_of_scope`` for the organizations) before writing.
    Trace: a new chain ``consultation:<id>`` with ``consultation.created``.
    """
    problems = Problems()
    if topic not in ConsultationTopic.values:
        problems.bad("topic", _("Choose what you are asking about."))
    check_mediation_org(organization, problems)
    check_respondent(respondent, problems)
    if business_type not in BusinessType.values:
        problems.bad("business_type", _("Choose a business type from the list."))
    if applicant_type not in ApplicantType.values:
        problems.bad("applicant_type", _("Choose who is asking."))
    if not description.strip():
        problems.bad("description", _("Write your question."))
    if not contact_name.strip():
        problems.bad("contact_name", _("A name is needed so that we can answer you."))
    check_phone("contact_phone", contact_phone, problems)
    check_amount(amount, problems)
    problems.raise_if_any()
    assert organization is not None and respondent is not None  # checked above
    with transaction.atomic():
        consultation = Consultation.objects.create(
            topic=topic,
            asker=asker,
            organization=organization,
            respondent=respondent,
            business_type=business_type,
            applicant_type=applicant_type,
            amount=amount,
            description=description.strip(),
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
        )
        chain = trace_chain_create(key=consultation.chain_key)
        consultation.chain = chain
        consultation.save(update_fields=["chain"])
        payload: ConsultationCreated = {
            "id": consultation.pk,
            "topic": str(topic),
            "organization": organization.code,
            "respondent": respondent.code,
            "business_type": str(business_type),
            # The question and contact details name a person: a keyed hash under the
            # asker's erasable key, not a plain (guessable) digest.
            "content": seal(
                subject=user_subject(asker.pk),
                field="consultation",
                value=canonical_json(
                    {
                        "description": consultation.description,
                        "contact_name": consultation.contact_name,
                        "contact_phone": consultation.contact_phone,
                        "amount": None if amount is None else str(amount),
                    }
                ),
            ),
        }
        trace_append(
            chain=chain,
            action="consultation.created",
            actor=Actor.for_user(asker, role=Role.APPLICANT),
            payload=dict(payload),
        )
    return consultation


def consultation_answer(*, consultation: Consultation, user: User, answer: str) -> Consultation:
    """A mediator or administrator of the consultation's organization answers
    (again, if need be, until it becomes a case). Trace: ``consultation.answered``."""
    if not may_answer_consultation(consultation=consultation, user=user):
        raise NotAllowed(_("Only the organization's mediators and administrators answer."))
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write an answer."), fields={"answer": [_("Required.")]})
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.status == ConsultationStatus.CONVERTED:
            raise ConflictError(_("This consultation is already a case."), code="already_converted")
        locked.answer = answer
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.status = ConsultationStatus.ANSWERED
        locked.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        assert locked.chain is not None
        payload: ConsultationAnswered = {"answer_sha256": _sha256(answer)}
        is_mediator = has_role(user, Role.MEDIATOR, locked.organization)
        role = Role.MEDIATOR if is_mediator else Role.ORG_ADMIN
        trace_append(
            chain=locked.chain,
            action="consultation.answered",
            actor=Actor.for_user(user, role=role),
            payload=dict(payload),
        )
    return locked


def consultation_convert_to_case(
    *,
    consultation: Consultation,
    user: User,
    application: CaseApplication | None = None,
) -> Case:
    """Turn the consultation into a mediation case filed by its asker (R2).

    ``application`` is what the asker confirmed on the prefilled form; ``None``
    takes the consultation as it stands
    (``selectors.consultation_application_draft``). Preconditions: ``user`` is
    the asker (else ``permission_denied``). Raises ``already_converted`` (409)
    for a second conversion, and the scope errors of ``case_apply``, before
    writing anything. One transaction: the case, its chain whose first event
    names the consultation's chain and head hash, and ``consultation.converted``
    on the consultation's chain.
    """
    if consultation.asker_id != user.pk:
        raise NotAllowed(_("Only the person who asked can turn this into a case."))
    if application is None:
        application = consultation_application_draft(consultation=consultation)
    check_application(application)
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.status == ConsultationStatus.CONVERTED:
            raise ConflictError(_("This consultation is already a case."), code="already_converted")
        case = open_case(
            application=application,
            channel=IntakeChannel.APPLICATION,
            actor=Actor.for_user(user, role=Role.APPLICANT),
            submitted_by=user,
            applicant=user,
            consultation=locked,
        )
        locked.status = ConsultationStatus.CONVERTED
        locked.save(update_fields=["status"])
        assert locked.chain is not None
        payload: ConsultationConverted = {"case_no": case.case_no, "case_chain": case.chain_key}
        trace_append(
            chain=locked.chain,
            action="consultation.converted",
            actor=Actor.for_user(user, role=Role.APPLICANT),
            payload=dict(payload),
        )
    consultation.status = ConsultationStatus.CONVERTED
    return case
