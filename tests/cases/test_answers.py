"""The institution's answer (mediation is voluntary): staff of the respondent agree to mediate
or decline with reasons (the case ends as not mediated), once, after acceptance and before
mediation; the position and the institution's own evidence; the trace keeps hashes, the row
the words; the applicant, the administrators and the mediator are told; the applicant sees it.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import uuid

import pytest
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseState, Material, RespondentAnswer
from accord.cases.selectors import ACTION_LABELS, ROUTES_LEFT, answer_due
from accord.core.api import ConflictError, ServiceError
from accord.inbox.models import Notice
from accord.orgs.models import MediationRules
from accord.workdays.periods import add_working_days
from tests.cases.conftest import api_client, snapshot

pytestmark = pytest.mark.django_db

S = CaseState
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
REASONS = "该业务已由法院判决，不同意调解。"
POSITION = "本行已按合同履行告知义务。"


def upload(case: Case, user, name: str = "回函.pdf") -> Material:
    return services.material_upload(
        case=case, user=user, name=name, stream=io.BytesIO(PDF), size=len(PDF)
    )


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def events(case: Case) -> list[TraceEvent]:
    """The case's own events (the deadlines that follow the case trace theirs after them)."""
    return list(
        TraceEvent.objects.filter(chain=case.chain, action__startswith="case.").order_by("seq")
    )


def test_the_institution_agrees_with_its_position_and_evidence(case, drive, ben, alice, ada, mia):
    drive(case, S.ASSIGNED)
    own = upload(case, ben)
    answer = services.case_answer(
        case=case, user=ben, decision="agree", position=POSITION, evidence=[str(own.uuid)]
    )
    case.refresh_from_db()
    assert case.state == S.ASSIGNED
    answer = RespondentAnswer.objects.get(case=case)
    assert (answer.decision, answer.reasons, answer.position) == ("agree", "", POSITION)
    assert list(answer.evidence.all()) == [own]
    assert answer.answered_by == ben
    last = events(case)[-1]
    assert last.action == "case.answered"
    assert last.payload == {
        "decision": "agree",
        "reasons_sha256": sha(""),
        "position_sha256": sha(POSITION),
        "evidence": [str(own.uuid)],
    }
    assert last.actor["user_id"] == ben.pk and last.actor["role"] == "institution_staff"
    # The institution's words are in the row, not in the trace.
    assert POSITION not in str(last.payload)
    for user in (alice, ada, mia):
        notice = Notice.objects.get(user=user, kind="case.answered")
        assert case.case_no in notice.text and notice.url.endswith(f"/cases/{case.case_no}/")
    assert not Notice.objects.filter(user=ben).exists()


def test_a_decline_with_reasons_ends_the_case_as_not_mediated(case, drive, ben, alice, ada):
    drive(case, S.ACCEPTED)
    services.case_answer(case=case, user=ben, decision="decline", reasons=REASONS)
    case.refresh_from_db()
    assert case.state == S.NOT_MEDIATED
    assert case.state_reason == REASONS
    answered, moved = events(case)[-2:]
    assert answered.action == "case.answered"
    assert answered.payload["decision"] == "decline"
    assert answered.payload["reasons_sha256"] == sha(REASONS)
    assert moved.action == "case.not_mediated"
    assert moved.payload == {"from": "accepted", "to": "not_mediated", "reason": ""}
    assert REASONS not in str(answered.payload) + str(moved.payload)
    notice = Notice.objects.get(user=alice, kind="case.not_mediated")
    assert str(ROUTES_LEFT) in notice.text
    assert Notice.objects.filter(user=ada, kind="case.not_mediated").exists()


def test_a_decline_needs_reasons_and_writes_nothing(case, drive, ben):
    drive(case, S.ACCEPTED)
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_answer(case=case, user=ben, decision="decline", reasons="   ")
    assert caught.value.code == "reason_required"
    assert list(caught.value.fields) == ["reasons"]
    assert snapshot() == before
    assert not RespondentAnswer.objects.exists() and not Notice.objects.exists()
    case.refresh_from_db()
    assert case.state == S.ACCEPTED


@pytest.mark.parametrize("first", ["agree", "decline"])
def test_the_institution_answers_once(case, drive, ben, first):
    drive(case, S.ACCEPTED)
    services.case_answer(case=case, user=ben, decision=first, reasons=REASONS)
    before = snapshot()
    for second in ("agree", "decline"):
        with pytest.raises(ConflictError) as caught:
            services.case_answer(case=case, user=ben, decision=second, reasons=REASONS)
        assert (caught.value.code, caught.value.http_status) == ("already_answered", 409)
    assert snapshot() == before
    assert RespondentAnswer.objects.count() == 1


@pytest.mark.parametrize(
    "state", [S.SUBMITTED, S.DECLINED, S.MEDIATING, S.AGREEMENT, S.WITHDRAWN, S.CLOSED]
)
def test_no_answer_before_acceptance_or_once_mediation_started_or_the_case_ended(
    case, drive, ben, state
):
    drive(case, state)
    before = snapshot()
    with pytest.raises(ConflictError) as caught:
        services.case_answer(case=case, user=ben, decision="agree")
    assert caught.value.code == "illegal_state"
    assert snapshot() == before
    assert answer_due(case=case) is None


def test_only_staff_of_the_institution_answer(case, drive, alice, ada, mia, charlie):
    drive(case, S.ASSIGNED)
    before = snapshot()
    for user in (alice, ada, mia, charlie):
        with pytest.raises(NotAllowed) as caught:
            services.case_answer(case=case, user=user, decision="agree")
        assert caught.value.code == "permission_denied"
    assert snapshot() == before
    # Over the API a user who may not see the case gets 404; a party who is not the
    # institution 403.
    url = f"/api/cases/{case.case_no}/answer/"
    response = api_client(charlie).post(url, {"decision": "agree"}, format="json")
    assert response.status_code == 404
    response = api_client(ada).post(url, {"decision": "agree"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert not RespondentAnswer.objects.exists()


def test_the_evidence_is_the_institutions_own_files_of_this_case(
    case, drive, ben, alice, application
):
    drive(case, S.ACCEPTED)
    applicants_file = upload(case, alice, "合同.pdf")
    other_case = services.case_apply(applicant=alice, application=application())
    elsewhere = upload(other_case, ben)
    before = snapshot()
    for bad in ([str(applicants_file.uuid)], [str(elsewhere.uuid)], [str(uuid.uuid4())], ["x"]):
        with pytest.raises(ServiceError) as caught:
            services.case_answer(case=case, user=ben, decision="agree", evidence=bad)
        assert caught.value.code == "invalid_evidence"
        assert list(caught.value.fields) == ["evidence"]
    assert snapshot() == before


def test_an_unknown_decision_is_refused(case, drive, ben):
    drive(case, S.ACCEPTED)
    with pytest.raises(ServiceError) as caught:
        services.case_answer(case=case, user=ben, decision="maybe")
    assert caught.value.code == "invalid_decision"
    assert list(caught.value.fields) == ["decision"]


def test_the_answer_over_the_api_and_the_applicant_sees_it(case, drive, ben, alice):
    drive(case, S.ACCEPTED)
    assert api_client(alice).get(f"/api/cases/{case.case_no}/").json()["answer"] is None
    own = upload(case, ben)
    url = f"/api/cases/{case.case_no}/answer/"
    response = api_client(ben).post(url, {"decision": "decline"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason_required"
    assert list(response.json()["error"]["fields"]) == ["reasons"]
    body = {
        "decision": "decline",
        "reasons": REASONS,
        "position": POSITION,
        "evidence": [str(own.uuid)],
    }
    response = api_client(ben).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "not_mediated"
    answer = api_client(alice).get(f"/api/cases/{case.case_no}/").json()["answer"]
    assert answer["decision"] == "decline"
    assert (answer["reasons"], answer["position"]) == (REASONS, POSITION)
    assert [item["uuid"] for item in answer["evidence"]] == [str(own.uuid)]
    response = api_client(ben).post(url, body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "already_answered")


def test_the_page_form_and_what_the_applicant_reads(client, case, drive, ben, alice):
    drive(case, S.ACCEPTED)
    own = upload(case, ben, "本行回函.pdf")
    upload(case, alice, "申请人合同.pdf")
    client.force_login(ben)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'action="/en/cases/{case.case_no}/answer/"' in page
    # Only the institution's own files are offered as its evidence.
    assert "本行回函.pdf (PDF document)" in page and "申请人合同.pdf (PDF document)" not in page
    response = client.post(
        f"/en/cases/{case.case_no}/answer/", {"decision": "decline", "reasons": ""}
    )
    assert response.status_code == 400
    assert "Required when declining." in response.content.decode()
    assert not RespondentAnswer.objects.exists()
    response = client.post(
        f"/en/cases/{case.case_no}/answer/",
        {"decision": "decline", "reasons": REASONS, "position": POSITION, "evidence": [own.uuid]},
    )
    assert response.status_code == 302
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'action="/en/cases/{case.case_no}/answer/"' not in page  # answered: no form

    client.force_login(alice)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert "Declines to mediate" in page
    assert REASONS in page and POSITION in page and "本行回函.pdf" in page
    assert html.escape(str(ROUTES_LEFT)) in page
    page = client.get(f"/cases/{case.case_no}/").content.decode()  # and in Chinese
    assert "仲裁" in page


def answer_due_line(page: str) -> str:
    """The answer section's due line (the time-limits section has its own flags)."""
    match = re.search(r'<p data-testid="answer-due">.*?</p>', page, re.S)
    assert match is not None
    return match.group(0)


def test_the_page_shows_when_the_answer_is_due(client, case, drive, ben, org):
    drive(case, S.ACCEPTED)
    accepted = TraceEvent.objects.get(chain=case.chain, action="case.accepted")
    due = add_working_days(timezone.localdate(accepted.occurred_at), 5)
    assert answer_due(case=case) == due
    client.force_login(ben)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f"Answer due by {due.date:%Y-%m-%d}" in page
    assert ("provisional" in answer_due_line(page)) == due.provisional
    # Far enough to reach a year without holiday data: counted on weekends, said so.
    MediationRules.objects.filter(organization=org).update(answer_days=1000)
    far = answer_due(case=case)
    assert far is not None and far.provisional
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f"Answer due by {far.date:%Y-%m-%d}" in page
    assert "provisional" in answer_due_line(page)
    services.case_answer(case=case, user=ben, decision="agree")
    assert answer_due(case=case) is None
    assert "Answer due by" not in client.get(f"/en/cases/{case.case_no}/").content.decode()


def test_the_answer_actions_have_labels():
    assert {"case.answered", "case.not_mediated"} <= set(ACTION_LABELS)
