"""The expert's advisory report: drafted as a document of kind ``evaluation_report``, delivered
to the parties marked advisory (仅供参考 in the PDF's text), shown on the case page, opened
with a trace event; the whole evaluation on the case's chain."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from accord.core.api import ServiceError
from accord.documents.models import DocumentKind
from accord.documents.services import version_pdf
from accord.evaluation import services
from accord.evaluation.models import EvaluationStatus
from tests.evaluation.conftest import REPORT, actions, appointed, declared, events, notices, written

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_report_reaches_the_parties_marked_advisory(mediating, ada, erin, alice, ben, mia):
    evaluation, _appointment = declared(mediating, ada, erin)
    version = services.evaluation_report_draft(evaluation=evaluation, user=erin, report=REPORT)
    assert version.document.kind == DocumentKind.EVALUATION_REPORT
    text = pdf_text(version_pdf(version))
    assert "仅供参考" in "".join(text.split())
    assert REPORT.opinion[:10] in "".join(text.split())
    # Nobody but the expert is told of a draft.
    assert notices(alice, "evaluation.reported") == []

    services.evaluation_report_deliver(evaluation=evaluation, user=erin)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REPORTED
    assert evaluation.delivered_version == version
    for party in (alice, ben, mia, ada):
        [notice] = notices(party, "evaluation.reported")
        assert "仅供参考" in notice.text
    [reported] = events(mediating, "evaluation.reported")
    assert reported.payload == {
        "evaluation": str(evaluation.uuid),
        "document": str(version.document.uuid),
        "number": 1,
        "sha256": version.sha256,
        "advisory": True,
    }
    assert reported.actor == {"kind": "user", "user_id": erin.pk, "role": "expert"}


def test_the_parties_find_the_report_on_the_case_page_and_opening_it_is_traced(
    client, mediating, ada, erin, alice
):
    evaluation, _appointment = declared(mediating, ada, erin)
    version = services.evaluation_report_draft(evaluation=evaluation, user=erin, report=REPORT)
    services.evaluation_report_deliver(evaluation=evaluation, user=erin)
    client.force_login(alice)
    page = client.get(f"/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="evaluation-section"' in page
    assert 'data-testid="advisory"' in page and "仅供参考" in page
    link = f"/evaluation/{evaluation.uuid}/report.pdf"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "仅供参考" in "".join(pdf_text(response.content).split())
    [opened] = events(mediating, "evaluation.report_opened")
    assert opened.actor_user_id == alice.pk
    assert opened.payload["sha256"] == version.sha256


def test_a_draft_is_the_experts_until_delivered(client, mediating, ada, erin, alice):
    evaluation, _appointment = declared(mediating, ada, erin)
    services.evaluation_report_draft(evaluation=evaluation, user=erin, report=REPORT)
    client.force_login(alice)
    assert client.get(f"/evaluation/{evaluation.uuid}/report.pdf").status_code == 302
    assert events(mediating, "evaluation.report_opened") == []
    client.force_login(erin)
    assert client.get(f"/evaluation/{evaluation.uuid}/report.pdf").status_code == 200


def test_a_new_draft_is_a_new_version_and_the_latest_is_delivered(mediating, ada, erin):
    evaluation, _appointment = declared(mediating, ada, erin)
    first = services.evaluation_report_draft(evaluation=evaluation, user=erin, report=REPORT)
    second = services.evaluation_report_draft(evaluation=evaluation, user=erin, report=REPORT)
    assert (first.document_id, second.number) == (second.document_id, 2)
    services.evaluation_report_deliver(evaluation=evaluation, user=erin)
    evaluation.refresh_from_db()
    assert evaluation.delivered_version == second


def test_an_incomplete_report_is_refused_on_its_fields(mediating, ada, erin):
    evaluation, _appointment = declared(mediating, ada, erin)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_report_draft(
            evaluation=evaluation,
            user=erin,
            report=services.ReportInput(questions="", findings="事实", opinion=""),
        )
    assert refused.value.code == "report_incomplete"
    assert set(refused.value.fields) == {"questions", "opinion"}
    assert written() == before


def test_only_the_declared_expert_writes_and_delivers(mediating, ada, erin, mia):
    evaluation, appointment = appointed(mediating, ada, erin)
    before = written()
    for user in (erin, mia):  # erin has not declared yet
        with pytest.raises(ServiceError) as refused:
            services.evaluation_report_draft(evaluation=evaluation, user=user, report=REPORT)
        assert refused.value.code == "permission_denied"
    assert written() == before
    services.appointment_declare_independence(
        appointment=appointment, user=erin, declaration="无利害关系", confirmed=True
    )
    evaluation.refresh_from_db()
    with pytest.raises(ServiceError) as missing:
        services.evaluation_report_deliver(evaluation=evaluation, user=erin)
    assert missing.value.code == "report_missing"


def test_the_whole_evaluation_is_on_the_case_chain(mediating, ada, erin, eve):
    evaluation, _appointment = appointed(mediating, ada, erin)
    services.evaluation_replace_expert(evaluation=evaluation, user=ada, expert=eve, reason="调整")
    new = evaluation.appointments.get(expert=eve)
    services.appointment_declare_independence(
        appointment=new, user=eve, declaration="无利害关系", confirmed=True
    )
    evaluation.refresh_from_db()
    services.evaluation_report_draft(evaluation=evaluation, user=eve, report=REPORT)
    services.evaluation_report_deliver(evaluation=evaluation, user=eve)
    assert actions(mediating) == [
        "evaluation.requested",
        "evaluation.expert_appointed",
        "evaluation.expert_replaced",
        "evaluation.expert_appointed",
        "evaluation.independence_declared",
        "evaluation.report_drafted",
        "evaluation.reported",
    ]
    assert "document.drafted" in [event.action for event in events(mediating, "document.")]
    # No words of people in the trace: reasons, declaration and report by hash or not at all.
    payloads = " ".join(str(event.payload) for event in events(mediating, "evaluation."))
    for words in ("双方对风险", "调整", "无利害关系", REPORT.opinion):
        assert words not in payloads
