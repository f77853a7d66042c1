# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""Neutral evaluation tests reuse the case tests' cast (alice applies against BANK, ada
administers FMC, mia and max are its mediators, ben is BANK's staff, charlie has roles
elsewhere only) and add the independent experts erin and eve of FMC, a case in mediation with
evidence and the institution's answer, and helpers to drive an evaluation."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState, Material
from accord.evaluation import services
from accord.evaluation.models import Evaluation, EvaluationGround, ExpertAppointment
from accord.inbox.models import Notice
from accord.orgs.models import Role
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    drive,
    evidence_bucket,
    max_,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ALICE_PHONE = "13900000001"


@pytest.fixture
def erin(org) -> User:
    return member(UserFactory(username="erin", display_name="Erin"), Role.EXPERT, org)


@pytest.fixture
def eve(org) -> User:
    return member(UserFactory(username="eve", display_name="Eve"), Role.EXPERT, org)


def upload(case: Case, user: User, name: str = "合同.pdf") -> Material:
    return case_services.material_upload(
        case=case, user=user, name=name, stream=io.BytesIO(PDF), size=len(PDF)
    )


@pytest.fixture
def mediating(case: Case, drive: Callable[[Case, CaseState], Case], ben: User, mia: User) -> Case:
    """In mediation with mia; alice's evidence, and BANK's answer with its own evidence."""
    assigned = drive(case, CaseState.ASSIGNED)
    assert case.applicant is not None
    upload(assigned, case.applicant, "申请人证据.pdf")
    answer_evidence = upload(assigned, ben, "银行回函.pdf")
    case_services.case_answer(
        case=assigned,
        user=ben,
        decision="agree",
        position="银行认为已充分揭示产品风险。",
        evidence=[answer_evidence.uuid],
    )
    return case_services.case_start_mediation(case=assigned, user=mia)


@pytest.fixture
def other_case(alice, application, ada) -> Case:
    """Another case of FMC, accepted."""
    made = case_services.case_apply(applicant=alice, application=application())
    case_services.case_accept(case=made, user=ada)
    return made


def requested(case: Case, user: User, ground: str = EvaluationGround.DISPUTED) -> Evaluation:
    return services.evaluation_request(
        case=case, user=user, ground=ground, reason="双方对风险揭示事实争议较大。"
    )


def appointed(case: Case, ada: User, expert: User) -> tuple[Evaluation, ExpertAppointment]:
    evaluation = requested(case, ada)
    appointment = services.evaluation_appoint_expert(evaluation=evaluation, user=ada, expert=expert)
    evaluation.refresh_from_db()
    return evaluation, appointment


def declared(case: Case, ada: User, expert: User) -> tuple[Evaluation, ExpertAppointment]:
    evaluation, appointment = appointed(case, ada, expert)
    services.appointment_declare_independence(
        appointment=appointment,
        user=expert,
        declaration="本人与双方当事人及本案无利害关系。",
        confirmed=True,
    )
    evaluation.refresh_from_db()
    appointment.refresh_from_db()
    return evaluation, appointment


REPORT = services.ReportInput(
    questions="银行是否充分履行了适当性义务？",
    findings="申请人风险评估为保守型，所购产品为R4级。",
    analysis="销售适当性义务未尽。",
    opinion="建议银行承担主要责任，赔偿本金损失的百分之七十。",
)


def events(case: Case, prefix: str = "") -> list[TraceEvent]:
    return list(
        TraceEvent.objects.filter(chain_id=case.chain_id, action__startswith=prefix).order_by("seq")
    )


def actions(case: Case, prefix: str = "evaluation.") -> list[str]:
    return [event.action for event in events(case, prefix)]


def notices(user: User, kind: str) -> list[Notice]:
    return list(Notice.objects.filter(user=user, kind=kind))


@dataclass(frozen=True)
class Written:
    """What an evaluation service could write (to prove a refusal wrote nothing)."""

    evaluations: tuple[tuple[int, str], ...]
    appointments: tuple[tuple[int, str], ...]
    events: int
    notices: int


def written() -> Written:
    assert connection.vendor == "postgresql"
    return Written(
        evaluations=tuple(Evaluation.objects.order_by("id").values_list("id", "status")),
        appointments=tuple(ExpertAppointment.objects.order_by("id").values_list("id", "status")),
        events=TraceEvent.objects.count(),
        notices=Notice.objects.count(),
    )
