# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""The feedback letter (R11): an entrusted mediation that ends owes the court a letter and its
materials within 3 working days; drafting, sending and returning are traced, told to the court
and shown on the court API; the case is not closed before; the deadline is met once both are
done. Through the organization's page as well."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseState
from accord.core.api import ConflictError, ServiceError
from accord.courts.models import CourtCallback, CourtDocking, CourtFeedback, CourtKey, Entrustment
from accord.courts.services.entrustments import entrustment_accept
from accord.courts.services.feedback import (
    feedback_draft,
    feedback_fields,
    feedback_send,
    materials_return,
)
from accord.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from accord.deadlines.sweep import deadlines_sweep
from accord.documents.services import read_object
from accord.inbox.models import Notice
from accord.workdays.periods import add_working_days
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    _english,
    ada,
    alice,
    application,
    bank,
    case,
    court,
    drive,
    mia,
    org,
)
from tests.courts.test_auth import _body, _push, _signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def docked(court: Any, org: Any, bank: Any) -> CourtKey:
    CourtDocking.objects.create(
        court=court, default_organization=org, callback_url="http://127.0.0.1:9/callbacks"
    )
    return CourtKey.objects.create(court=court, key_id="ck_feedback", secret="s-feedback")


@pytest.fixture
def entrusted(docked: CourtKey, ada: Any, mia: Any) -> tuple[Entrustment, Case]:
    response = _push(Client(), docked, _body(respondent={"name": "示例银行", "org_code": "BANK"}))
    assert response.status_code == 201, response.content
    entrustment = Entrustment.objects.get(uuid=response.json()["entrustment_id"])
    case = entrustment_accept(
        entrustment=entrustment, user=ada, materials_signed_on=timezone.localdate()
    )
    case = case_services.case_assign_mediator(case=case, user=ada, mediator=mia)
    case = case_services.case_start_mediation(case=case, user=mia)
    entrustment.refresh_from_db()
    return entrustment, case


def _end(case: Case, mia: Any, state: CaseState = CaseState.AGREEMENT) -> Case:
    return case_services.case_record_outcome(case=case, user=mia, outcome=state, reason="结果")


def _get(key: CourtKey, path: str) -> Any:
    return Client().get(path, **_signed(key, "GET", path, b""))


def test_an_ended_entrusted_mediation_owes_the_court_its_feedback(entrusted, mia, ada) -> None:
    entrustment, case = entrusted
    assert not CourtFeedback.objects.exists()
    _end(case, mia)
    feedback = CourtFeedback.objects.get(entrustment=entrustment)
    assert feedback.outcome == CaseState.AGREEMENT
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.COURT_FEEDBACK)
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.due_on == add_working_days(timezone.localdate(), 3).date
    assert feedback.deadline == deadline
    assert Notice.objects.filter(user=ada, kind="court.feedback_due").exists()
    assert TraceEvent.objects.filter(chain=case.chain, action="court.feedback_due").exists()
    # Prefilled from the case: the outcome in the court's language, the agreement enclosed.
    fields = feedback_fields(feedback)
    assert fields["outcome"].startswith("经调解") and fields["attachments"][0] == "调解协议书"


def test_a_case_not_entrusted_owes_nothing(case, drive) -> None:
    drive(case, CaseState.AGREEMENT)
    assert not CourtFeedback.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.COURT_FEEDBACK).exists()


def test_draft_send_return_meet_the_deadline_and_the_court_sees_it(
    entrusted, mia, ada, docked
) -> None:
    entrustment, case = entrusted
    _end(case, mia)
    feedback = CourtFeedback.objects.get(entrustment=entrustment)
    with pytest.raises(ServiceError) as nothing:
        feedback_send(feedback=feedback, user=ada)
    assert nothing.value.code == "letter_required"
    with pytest.raises(NotAllowed):
        feedback_draft(feedback=feedback, user=mia, outcome="x", text="", attachments=[])
    with pytest.raises(ServiceError) as empty:
        feedback_draft(feedback=feedback, user=ada, outcome=" ", text="", attachments=[])
    assert "outcome" in empty.value.fields
    version = feedback_draft(
        feedback=feedback,
        user=ada,
        outcome="经调解，双方当事人自愿达成调解协议",
        text="被申请人于十日内退还手续费。",
        attachments=["调解协议书", "起诉状"],
    )
    assert version.document.kind == "court_feedback"
    assert read_object(version.bucket, version.storage_key).startswith(b"%PDF")

    feedback_send(feedback=feedback, user=ada)
    with pytest.raises(ConflictError):
        feedback_send(feedback=feedback, user=ada)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.COURT_FEEDBACK)
    assert deadline.status == DeadlineStatus.OPEN  # the materials are not back yet

    with pytest.raises(ServiceError) as bad:
        materials_return(feedback=feedback, user=ada, method="pigeon")
    assert bad.value.code == "invalid_method"
    materials_return(feedback=feedback, user=ada, method="post", note="SF1234567890")
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET

    actions = list(
        TraceEvent.objects.filter(chain=case.chain, action__startswith="court.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["court.feedback_due", "court.feedback_sent", "court.materials_returned"]
    kinds = list(
        CourtCallback.objects.filter(entrustment=entrustment)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["entrustment.accepted", "feedback.sent", "materials.returned"]

    path = f"/api/court/v1/entrustments/{entrustment.uuid}"
    status = _get(docked, path).json()
    assert status["case_state"] == CaseState.AGREEMENT
    assert status["feedback"]["sent_at"] and status["feedback"]["deadline_status"] == "met"
    assert status["feedback"]["letter"]["sha256"] == version.sha256
    assert status["materials_returned"]["method"] == "post"
    letter = _get(docked, status["feedback"]["letter"]["path"])
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert b"".join([letter.content]) == read_object(version.bucket, version.storage_key)


def test_the_case_is_not_closed_before_the_court_has_its_feedback(entrusted, mia, ada) -> None:
    _entrustment, case = entrusted
    case = _end(case, mia)
    with pytest.raises(ConflictError) as refused:
        case_services.case_close(case=case, user=ada)
    assert refused.value.code == "feedback_pending"
    assert Case.objects.get(pk=case.pk).state == CaseState.AGREEMENT


def test_the_feedback_page(entrusted, mia, ada) -> None:
    entrustment, case = entrusted
    _end(case, mia, CaseState.FAILED)
    client = Client()
    client.force_login(ada)
    url = reverse("courts:feedback", kwargs={"uuid": entrustment.uuid})
    # Reachable from the case page.
    assert url in client.get(reverse("cases:detail", kwargs={"case_no": case.case_no})).text
    page = client.get(url)
    assert page.status_code == 200 and "调解不成" in page.text
    empty = client.post(url, {"draft": "1", "letter-outcome": "", "letter-attachments": ""})
    assert empty.status_code == 400
    assert not CourtFeedback.objects.filter(letter__isnull=False).exists()
    drafted = client.post(
        url,
        {
            "draft": "1",
            "letter-outcome": "调解不成",
            "letter-text": "",
            "letter-attachments": "起诉状",
        },
    )
    assert drafted.status_code == 302
    assert client.post(url, {"send": "1"}).status_code == 302
    returned = client.post(url, {"return": "1", "return-method": "in_person", "return-note": ""})
    assert returned.status_code == 302
    feedback = CourtFeedback.objects.get(entrustment=entrustment)
    assert feedback.is_complete and feedback.letter is not None
    assert json.dumps(feedback.letter.fields, ensure_ascii=False).count("起诉状") == 1
    # Only the organization's administrators.
    other = Client()
    other.force_login(mia)
    assert other.get(url).status_code == 404


def test_the_feedback_deadline_reminds_the_administrators_and_the_mediator(
    entrusted, mia, ada
) -> None:
    _entrustment, case = entrusted
    _end(case, mia)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.COURT_FEEDBACK)
    day = timezone.localdate()
    reminded: list[tuple[int, int]] = []
    while day <= deadline.due_on:
        reminded += deadlines_sweep(today=day).reminded
        day += dt.timedelta(days=1)
    assert [n for pk, n in reminded if pk == deadline.pk] == [3, 1]
    for user in (ada, mia):
        texts = Notice.objects.filter(user=user, kind="deadline.reminder").values_list(
            "text", flat=True
        )
        assert any(case.case_no in text for text in texts), user
