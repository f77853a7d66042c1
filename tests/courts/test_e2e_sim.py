"""End to end with the court simulator over HTTP (issue 14's proof): the simulated court pushes
through Accord's court API on a live server, Accord's callbacks reach the simulator signed and
verified. Push → accept → mediate (no video) → agreement → feedback letter within its deadline
→ judicial confirmation filed → the court downloads the package and records its ruling; and
push → decline with a reason → the court receives the reason."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone

from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.courts.models import CourtFeedback, Entrustment
from accord.courts.services.entrustments import entrustment_accept, entrustment_decline
from accord.courts.services.feedback import feedback_draft, feedback_send, materials_return
from accord.orgs.models import Role
from accord.outcomes.services import confirmation_apply, confirmation_consent
from infra.court_sim.client import CourtClient
from tests.cases.conftest import as_user, member
from tests.cases.factories import CaseApplicantFactory
from tests.courts.sim_support import World, entrustment_body, sim, world  # noqa: F401
from tests.factories import UserFactory
from tests.outcomes.conftest import draft_agreement, take_effect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]


def test_push_accept_agreement_feedback_confirmation_outcome(
    live_server: Any,
    world: World,  # noqa: F811
) -> None:
    simulator = world.sim
    applicant = as_user(CaseApplicantFactory(phone="13800138000", display_name="张三"))
    staff = member(UserFactory(username="sim-bank-staff"), Role.INSTITUTION_STAFF, world.bank)
    court = CourtClient(live_server.url, world.key.key_id, world.key.secret)

    status, pushed = court.push_entrustment(entrustment_body())
    assert status == 201, pushed
    entrustment = Entrustment.objects.get(uuid=pushed["entrustment_id"])
    case = entrustment_accept(
        entrustment=entrustment, user=world.admin, materials_signed_on=timezone.localdate()
    )
    accepted = simulator.wait_for("entrustment.accepted")[0]
    assert accepted["data"]["case_no"] == case.case_no

    case = case_services.case_assign_mediator(case=case, user=world.admin, mediator=world.mediator)
    case = case_services.case_start_mediation(case=case, user=world.mediator)
    agreement = take_effect(draft_agreement(case, world.mediator))
    case_services.case_record_outcome(
        case=case, user=world.mediator, outcome=CaseState.AGREEMENT, reason="达成协议"
    )
    status, read = court.get_entrustment(pushed["entrustment_id"])
    assert read["case_state"] == "agreement"
    assert read["feedback"]["sent_at"] is None and read["feedback"]["deadline_status"] == "open"
    due_on = read["feedback"]["due_on"]

    feedback = CourtFeedback.objects.get(entrustment=entrustment)
    version = feedback_draft(
        feedback=feedback,
        user=world.admin,
        outcome="经调解，双方当事人自愿达成调解协议",
        text="",
        attachments=["调解协议书"],
    )
    feedback_send(feedback=feedback, user=world.admin)
    materials_return(feedback=feedback, user=world.admin, method="platform")
    sent = simulator.wait_for("feedback.sent")[0]
    assert sent["data"]["feedback"]["letter"]["sha256"] == version.sha256
    simulator.wait_for("materials.returned")
    status, read = court.get_entrustment(pushed["entrustment_id"])
    assert read["feedback"]["deadline_status"] == "met"
    assert timezone.localdate().isoformat() <= due_on
    assert read["materials_returned"]["method"] == "platform"

    application = confirmation_apply(agreement=agreement, user=staff)
    confirmation_consent(application=application, user=applicant)
    filed = simulator.wait_for("confirmation.filed")[0]
    confirmation_id = filed["data"]["confirmation_id"]
    assert filed["entrustment_id"] == pushed["entrustment_id"]
    status, listed = court.list_confirmations("filed")
    assert [c["confirmation_id"] for c in listed["results"]] == [confirmation_id]
    package = court.confirmation_package(confirmation_id)
    assert zipfile.ZipFile(io.BytesIO(package)).namelist()
    status, ruled = court.record_outcome(
        confirmation_id,
        outcome="confirmed",
        ruling_no="(2026)京0105民特88号",
        decided_on=timezone.localdate().isoformat(),
    )
    assert status == 200, ruled
    assert ruled["status"] == "confirmed"
    status, read = court.get_confirmation(confirmation_id)
    assert read["ruling"]["ruling_no"] == "(2026)京0105民特88号"
    # Every callback arrived once, signed and verified; none was refused.
    assert simulator.refused == []


def test_push_decline_the_court_receives_the_reason(
    live_server: Any,
    world: World,  # noqa: F811
) -> None:
    court = CourtClient(live_server.url, world.key.key_id, world.key.secret)
    status, pushed = court.push_entrustment(entrustment_body(court_case_no="(2026)京0105民初7号"))
    assert status == 201
    entrustment = Entrustment.objects.get(uuid=pushed["entrustment_id"])
    entrustment_decline(entrustment=entrustment, user=world.admin, reason="不属于本组织受理范围")
    declined = world.sim.wait_for("entrustment.declined")[0]
    assert declined["data"]["reason"] == "不属于本组织受理范围"
    status, read = court.get_entrustment(pushed["entrustment_id"])
    assert read["status"] == "declined" and read["decision"]["reason"] == "不属于本组织受理范围"
