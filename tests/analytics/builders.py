"""Crafted rows for the statistics tests: cases, their trace events on chosen days, the
mediation deadline, small-claim proposals and court feedback, written straight to the tables
(the figures read rows; how the services make them is tested in their apps)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceChain, TraceEvent
from accord.cases.models import Case, CaseState
from accord.courts.models import CourtFeedback, CourtKey, Entrustment
from accord.deadlines.models import DayCount, Deadline, DeadlineKind, DeadlineStatus
from accord.documents.models import Document, DocumentKind, DocumentVersion
from accord.orgs.models import Organization
from accord.smallclaims.models import Memorandum, Proposal

_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """A moment of ``day`` in the local time zone."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def event(case: Case, action: str, day: dt.date, hour: int = 12) -> TraceEvent:
    seq = TraceEvent.objects.filter(chain_id=case.chain_id).count() + 1
    return TraceEvent.objects.create(
        chain_id=case.chain_id,
        seq=seq,
        action=action,
        actor={"kind": "system"},
        payload={},
        occurred_at=at(day, hour),
        prev_hash="0" * 64,
        hash=f"{case.chain_id:032x}{seq:032x}",
    )


def make_case(
    organization: Organization,
    respondent: Organization,
    *,
    received: dt.date,
    channel: str = "application",
    business_type: str = "loan",
    product: str = "",
    complexity: str = "",
    state: str = CaseState.SUBMITTED,
    mediator: User | None = None,
    referred_by: Organization | None = None,
    court: Organization | None = None,
    accepted: dt.date | None = None,
    outcome: tuple[str, dt.date] | None = None,
    due_on: dt.date | None = None,
) -> Case:
    """A case received on ``received``; ``outcome`` (state, day) also sets its state."""
    number = next(_numbers)
    chain = TraceChain.objects.create(key=f"case:T-{number}")
    if outcome is not None:
        state = outcome[0]
    case = Case.objects.create(
        case_no=f"T-{number}",
        organization=organization,
        year=received.year,
        seq=number,
        channel=channel,
        state=state,
        state_changed_at=at(received),
        applicant_type="natural_person",
        applicant_name="张三",
        applicant_phone="13900000001",
        respondent=respondent,
        business_type=business_type,
        dispute_nature="civil_commercial",
        product=product,
        description="事实",
        complexity=complexity,
        mediator=mediator,
        referred_by=referred_by,
        court=court,
        entrusted_on=received if court is not None and channel == "court" else None,
        chain=chain,
    )
    Case.objects.filter(pk=case.pk).update(created_at=at(received, 9))
    event(case, "case.submitted", received, 9)
    if accepted is not None:
        event(case, "case.accepted", accepted, 10)
    if due_on is not None:
        assert accepted is not None
        Deadline.objects.create(
            case=case,
            kind=DeadlineKind.COURT_MEDIATION if channel == "court" else DeadlineKind.MEDIATION,
            starts_on=accepted,
            count=DayCount.WORKING,
            length_days=max((due_on - accepted).days, 1),
            due_on=due_on,
            status=DeadlineStatus.OPEN if outcome is None else DeadlineStatus.MET,
        )
    if outcome is not None:
        event(case, f"case.{outcome[0]}", outcome[1], 15)
    case.refresh_from_db()
    return case


def make_proposal(case: Case, memorandum: Memorandum, *, status: str, issued: dt.date) -> Proposal:
    number = Proposal.objects.filter(case=case).count() + 1
    assert case.mediator is not None
    document = Document.objects.create(
        case=case, kind=DocumentKind.SMALLCLAIM_PROPOSAL, created_by=case.mediator
    )
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        bucket="documents",
        storage_key=f"test/{case.pk}/{number}.pdf",
        sha256="0" * 64,
        size=1,
        created_by=case.mediator,
    )
    return Proposal.objects.create(
        document_version=version,
        case=case,
        number=number,
        memorandum=memorandum,
        threshold=Decimal("50000"),
        amount=Decimal("1000"),
        facts="事实",
        dispute="争议",
        terms="条款",
        pay_within_days=10,
        status=status,
        issued_by=case.mediator,
        issued_at=at(issued),
        answer_days=5,
        answer_due_on=issued + dt.timedelta(days=7),
    )


def make_memorandum(
    organization: Organization, institution: Organization, user: User
) -> Memorandum:
    return Memorandum.objects.create(
        organization=organization,
        institution=institution,
        threshold=Decimal("50000"),
        business_types=["loan"],
        dispute_natures=["civil_commercial"],
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2030, 1, 1),
        signed_on=dt.date(2020, 1, 1),
        answer_days=5,
        created_by=user,
    )


def make_feedback(
    case: Case, *, ended: dt.date, status: str | None, due_on: dt.date
) -> CourtFeedback:
    """Feedback owed on ``case`` (court-entrusted) whose deadline is in ``status``."""
    assert case.court is not None
    key = CourtKey.objects.filter(court=case.court).first() or CourtKey.objects.create(
        court=case.court, key_id=f"ck_{case.court.code.lower()}", secret="s"
    )
    entrustment = Entrustment.objects.create(
        court=case.court,
        organization=case.organization,
        key=key,
        court_case_no=f"(2026)沪01民初{case.pk}号",
        kind="entrusted",
        applicant_name="张三",
        applicant_kind="natural_person",
        applicant_phone="13900000001",
        respondent_name="银行",
        respondent_code="B",
        business_type="loan",
        claims="赔偿",
        body_sha256="0" * 64,
        case=case,
    )
    deadline = None
    if status is not None:
        deadline = Deadline.objects.create(
            case=case,
            kind=DeadlineKind.COURT_FEEDBACK,
            starts_on=ended,
            count=DayCount.WORKING,
            length_days=3,
            due_on=due_on,
            status=status,
        )
    return CourtFeedback.objects.create(
        entrustment=entrustment, outcome="agreement", due_at=at(ended), deadline=deadline
    )
