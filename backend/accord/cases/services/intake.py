"""Opening cases by the three channels of R9, and their gap-free numbers."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import canonical_json
from accord.audit.personal import case_subject, seal
from accord.audit.services import trace_append, trace_chain_create
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseCounter, CaseState, Consultation, IntakeChannel
from accord.cases.payloads import CaseSubmitted, ConsultationRef, CourtRef, RegulatorRef
from accord.cases.scope import CaseApplication, check_application
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash
from accord.orgs.models import Organization, OrgKind, Role
from accord.orgs.selectors import has_role


def intake_year(moment: datetime) -> int:
    """The year a case number carries: the calendar year in the configured TIME_ZONE
    (a case filed at 00:30 on 1 January in Beijing belongs to the new year)."""
    return timezone.localtime(moment).year


def format_case_no(*, organization: Organization, year: int, seq: int) -> str:
    return f"{organization.code}-{year}-{seq:05d}"


def _next_seq(*, organization: Organization, year: int) -> int:
    """Issue the next number of ``organization`` in ``year``.

    Precondition: inside the intake's ``transaction.atomic()``. The counter row
    stays locked (SELECT ... FOR UPDATE) until that transaction ends, so
    concurrent intakes queue here, and a rolled-back intake returns its number.
    """
    counters = CaseCounter.objects.select_for_update()
    counter = counters.filter(organization=organization, year=year).first()
    if counter is None:
        # First case of the year. ON CONFLICT DO NOTHING: a concurrent first
        # intake waits here for the other's insert to commit, then locks it.
        CaseCounter.objects.bulk_create(
            [CaseCounter(organization=organization, year=year, last_seq=0)],
            ignore_conflicts=True,
        )
        counter = counters.get(organization=organization, year=year)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq


def open_case(
    *,
    application: CaseApplication,
    channel: IntakeChannel,
    actor: Actor,
    submitted_by: User | None,
    applicant: User | None,
    consultation: Consultation | None = None,
    referred_by: Organization | None = None,
    regulator_reference: str = "",
    court: Organization | None = None,
    court_case_no: str = "",
    entrusted_on: date | None = None,
    materials_signed_on: date | None = None,
) -> Case:
    """Number the case, create its chain, the row and its first event.

    Preconditions: ``check_application(application)`` passed; inside
    ``transaction.atomic()``; the channel's own fields were checked.
    """
    organization = application.organization
    respondent = application.respondent
    assert organization is not None and respondent is not None  # check_application
    now = timezone.now()
    year = intake_year(now)
    seq = _next_seq(organization=organization, year=year)
    case_no = format_case_no(organization=organization, year=year, seq=seq)
    chain = trace_chain_create(key=f"case:{case_no}")
    case = Case.objects.create(
        case_no=case_no,
        organization=organization,
        year=year,
        seq=seq,
        channel=channel,
        state=CaseState.SUBMITTED,
        state_changed_at=now,
        applicant=applicant,
        applicant_type=application.applicant_type,
        applicant_name=application.applicant_name.strip(),
        applicant_phone=application.applicant_phone.strip(),
        applicant_id_number=application.applicant_id_number,
        credit_code=application.credit_code,
        representative=application.representative.strip(),
        respondent=respondent,
        business_type=application.business_type,
        dispute_nature=application.dispute_nature,
        amount=application.amount,
        product=application.product.strip(),
        description=application.description.strip(),
        claims=application.claims.strip(),
        consultation=consultation,
        submitted_by=submitted_by,
        referred_by=referred_by,
        regulator_reference=regulator_reference,
        court=court,
        court_case_no=court_case_no,
        entrusted_on=entrusted_on,
        materials_signed_on=materials_signed_on,
        chain=chain,
    )
    payload: CaseSubmitted = {
        "case_no": case_no,
        "state": CaseState.SUBMITTED.value,
        "channel": channel.value,
        "organization": organization.code,
        "respondent": respondent.code,
        "applicant_type": str(application.applicant_type),
        "business_type": str(application.business_type),
        "dispute_nature": str(application.dispute_nature),
        "amount": None if application.amount is None else str(application.amount),
        "application": seal(
            subject=case_subject(case_no),
            field="application",
            value=canonical_json(application.as_json()),
        ),
    }
    if consultation is not None and consultation.chain is not None:
        payload["consultation"] = ConsultationRef(
            id=consultation.pk, chain=consultation.chain.key, head_hash=consultation.chain.head_hash
        )
    if referred_by is not None:
        payload["regulator"] = RegulatorRef(code=referred_by.code, reference=regulator_reference)
    if court is not None and entrusted_on is not None:
        payload["court"] = CourtRef(
            code=court.code,
            court_case_no=court_case_no,
            entrusted_on=entrusted_on.isoformat(),
            materials_signed_on=materials_signed_on.isoformat() if materials_signed_on else None,
        )
    trace_append(chain=chain, action="case.submitted", actor=actor, payload=dict(payload))
    return case


def case_apply(*, applicant: User, application: CaseApplication) -> Case:
    """Party application (当事人申请): ``applicant`` files for themself.

    Preconditions: ``applicant`` is signed in. Raises ``OutOfScope`` /
    ``ServiceError`` before writing anything when the application is refused.
    """
    check_application(application)
    with transaction.atomic():
        return open_case(
            application=application,
            channel=IntakeChannel.APPLICATION,
            actor=Actor.for_user(applicant, role=Role.APPLICANT),
            submitted_by=applicant,
            applicant=applicant,
        )


def _applicant_account(phone: str) -> User | None:
    """The account that signs in with ``phone``: it proved the number with a
    one-time code, so the case can show up among that person's cases."""
    phone = phone.strip()
    if not phone:
        return None
    return User.objects.filter(phone_lookup=lookup_hash(phone), is_active=True).first()


def case_assign_by_regulator(
    *,
    officer: User,
    regulator: Organization,
    application: CaseApplication,
    complaint_reference: str = "",
) -> Case:
    """Regulator assignment (金融管理机构指派): ``officer`` refers a complaint to the
    mediation organization named in ``application``.

    Preconditions: ``officer`` holds the regulator-officer role in ``regulator``
    (else ``permission_denied``); ``regulator`` is a regulator.
    """
    _require_staff(officer, Role.REGULATOR_OFFICER, regulator, OrgKind.REGULATOR)
    check_application(application)
    with transaction.atomic():
        return open_case(
            application=application,
            channel=IntakeChannel.REGULATOR,
            actor=Actor.for_user(officer, role=Role.REGULATOR_OFFICER),
            submitted_by=officer,
            applicant=_applicant_account(application.applicant_phone),
            referred_by=regulator,
            regulator_reference=complaint_reference.strip(),
        )


def case_entrust_by_court(
    *,
    court: Organization,
    application: CaseApplication,
    court_case_no: str,
    entrusted_on: date,
    materials_signed_on: date | None = None,
    clerk: User | None = None,
) -> Case:
    """Court entrustment (人民法院委托).

    ``clerk`` is the court clerk who entrusts it through the platform (must hold
    the court-clerk role in ``court``); ``None`` means the court mediation
    platform's docking interface, recorded as a system actor. R11: the mediation
    period starts on ``materials_signed_on``, which may follow later through
    :func:`case_sign_for_materials`.
    """
    if clerk is not None:
        _require_staff(clerk, Role.COURT_CLERK, court, OrgKind.COURT)
        actor = Actor.for_user(clerk, role=Role.COURT_CLERK)
    else:
        if court.kind != OrgKind.COURT:
            raise NotAllowed(_("Only a court can entrust a case."))
        actor = Actor.system(f"court-platform:{court.code}")
    fields: dict[str, list[str]] = {}
    if not court_case_no.strip():
        fields["court_case_no"] = [_("The court's case number is needed.")]
    if materials_signed_on is not None and materials_signed_on < entrusted_on:
        fields["materials_signed_on"] = [
            _("Materials cannot be signed for before the case was entrusted.")
        ]
    try:
        check_application(application)
    except ServiceError as exc:
        exc.fields.update(fields)  # one answer naming every problem
        raise
    if fields:
        raise ServiceError(_("The entrustment has invalid fields."), fields=fields)
    with transaction.atomic():
        return open_case(
            application=application,
            channel=IntakeChannel.COURT,
            actor=actor,
            submitted_by=clerk,
            applicant=_applicant_account(application.applicant_phone),
            court=court,
            court_case_no=court_case_no.strip(),
            entrusted_on=entrusted_on,
            materials_signed_on=materials_signed_on,
        )


def _require_staff(user: User, role: Role, organization: Organization, kind: OrgKind) -> None:
    if organization.kind != kind or not has_role(user, role, organization):
        raise NotAllowed(
            _("You do not act for %(name)s in this role.") % {"name": organization.name}
        )
