"""JSON of neutral evaluations. Input serializers parse types only; the services decide.

What an evaluation shows depends on who asks (:func:`selectors.viewer_of`): the request's
reason and the expert only to those who see the case (and to the declared expert); the parties'
names to an expert still to declare; the dossier (application, answer, materials — never the
applicant's contact details) to the declared expert.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accord.accounts.models import User
from accord.evaluation.models import Evaluation, ExpertAppointment
from accord.evaluation.selectors import Viewer, dossier, live_appointment, viewer_of


class RequestInputSerializer(serializers.Serializer[Any]):
    ground = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="disputed, many_parties or typical (the organization); hard_complaint (the "
        "institution: the default)",
    )
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class AppointInputSerializer(serializers.Serializer[Any]):
    expert = serializers.IntegerField(help_text="The expert's user id.")
    override = serializers.BooleanField(required=False, default=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReplaceInputSerializer(AppointInputSerializer):
    reason = serializers.CharField(allow_blank=True)


class DeclarationInputSerializer(serializers.Serializer[Any]):
    declaration = serializers.CharField(allow_blank=True)
    confirmed = serializers.BooleanField(required=False, default=False)


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)


class ReportInputSerializer(serializers.Serializer[Any]):
    questions = serializers.CharField(allow_blank=True, required=False, default="")
    findings = serializers.CharField(allow_blank=True, required=False, default="")
    analysis = serializers.CharField(allow_blank=True, required=False, default="")
    opinion = serializers.CharField(allow_blank=True, required=False, default="")
    language = serializers.CharField(required=False, default="zh-hans")


class ExpertSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="awaiting_declaration or declared")
    declared_at = serializers.DateTimeField(allow_null=True)
    declaration = serializers.CharField()


class ReportSerializer(serializers.Serializer[Any]):
    document = serializers.UUIDField()
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    advisory = serializers.BooleanField(help_text="Always true: for reference only (仅供参考).")
    pdf_url = serializers.CharField()


class EvaluationSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    case_no = serializers.CharField()
    ground = serializers.CharField()
    ground_label = serializers.CharField()
    requested_as = serializers.CharField(help_text="org_admin, mediator or institution")
    requested_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_null=True, help_text="null before the declaration")
    status = serializers.CharField(
        help_text="requested, appointed, in_progress, reported or cancelled"
    )
    cancel_cause = serializers.CharField(help_text="organization, case_ended, transferred or ''")
    expert = ExpertSerializer(allow_null=True)
    report = ReportSerializer(allow_null=True, help_text="The delivered report.")
    parties = serializers.DictField(
        allow_null=True, help_text="For an expert still to declare: who the parties are."
    )
    dossier = serializers.DictField(allow_null=True, help_text="For the declared expert.")


def _expert(appointment: ExpertAppointment | None) -> dict[str, Any] | None:
    if appointment is None:
        return None
    return {
        "id": appointment.expert_id,
        "name": appointment.expert.display_name,
        "status": appointment.status,
        "declared_at": appointment.declared_at,
        "declaration": appointment.declaration,
    }


def _report(evaluation: Evaluation) -> dict[str, Any] | None:
    version = evaluation.delivered_version
    if version is None:
        return None
    return {
        "document": version.document.uuid,
        "number": version.number,
        "sha256": version.sha256,
        "delivered_at": evaluation.delivered_at,
        "advisory": True,
        "pdf_url": reverse("evaluation:report_pdf", kwargs={"evaluation_uuid": evaluation.uuid}),
    }


def _dossier(evaluation: Evaluation) -> dict[str, Any]:
    found = dossier(evaluation.case)
    case = found.case
    answer = found.answer
    return {
        "applicant_name": case.applicant_name,
        "applicant_type": case.applicant_type,
        "respondent": {"code": case.respondent.code, "name": case.respondent.name},
        "business_type": case.business_type,
        "amount": str(case.amount) if case.amount is not None else None,
        "description": case.description,
        "claims": case.claims,
        "answer": (
            {
                "decision": answer.decision,
                "position": answer.position,
                "reasons": answer.reasons,
                "evidence": [str(item.uuid) for item in answer.evidence.all()],
            }
            if answer is not None
            else None
        ),
        "materials": [
            {
                "uuid": str(item.uuid),
                "name": item.name,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
                "uploaded_at": item.uploaded_at.isoformat(),
                "url": reverse(
                    "cases:material_download",
                    kwargs={"case_no": case.case_no, "evidence_uuid": item.uuid},
                ),
            }
            for item in found.materials
        ],
    }


def evaluation_data(
    evaluation: Evaluation, user: User, *, viewer: Viewer | None = None
) -> dict[str, Any]:
    viewer = viewer or viewer_of(evaluation, user)
    case = evaluation.case
    return {
        "uuid": evaluation.uuid,
        "case_no": case.case_no,
        "ground": evaluation.ground,
        "ground_label": evaluation.get_ground_display(),
        "requested_as": evaluation.requested_as,
        "requested_at": evaluation.requested_at,
        "reason": evaluation.reason if viewer.reads_request else None,
        "status": evaluation.status,
        "cancel_cause": evaluation.cancel_cause,
        "expert": _expert(live_appointment(evaluation))
        if viewer.sees_case or viewer.is_admin
        else None,
        "report": _report(evaluation) if viewer.sees_case or viewer.declared else None,
        "parties": (
            {
                "applicant_name": case.applicant_name,
                "representative": case.representative,
                "respondent": case.respondent.name,
                "mediator": case.mediator.display_name if case.mediator else None,
            }
            if viewer.awaiting_declaration
            else None
        ),
        "dossier": _dossier(evaluation) if viewer.declared else None,
    }
