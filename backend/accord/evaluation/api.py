"""REST API of neutral evaluation (docs/api.md and /api/schema/). Thin: look the case or the
evaluation up (404 for what you may not see), call one service, serialize."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts.models import User
from accord.cases.api_support import api_user as _user
from accord.cases.api_support import error_response as _error
from accord.cases.errors import NotAllowed
from accord.cases.selectors import access_case, access_case_for_reading
from accord.evaluation import selectors, services
from accord.evaluation.models import Evaluation, ExpertAppointment
from accord.evaluation.serializers import (
    AppointInputSerializer,
    DeclarationInputSerializer,
    EvaluationSerializer,
    ReasonInputSerializer,
    ReplaceInputSerializer,
    ReportInputSerializer,
    RequestInputSerializer,
    evaluation_data,
)

_NOT_FOUND = _error("`not_found`: no such case or evaluation, or not visible to you.")


def _evaluation(request: Request, evaluation_uuid: UUID) -> Evaluation:
    return selectors.access_evaluation(user=_user(request), evaluation_uuid=evaluation_uuid)


def _answer(request: Request, evaluation: Evaluation, code: int = 200) -> Response:
    fresh = Evaluation.objects.select_related("case__organization", "case__respondent").get(
        pk=evaluation.pk
    )
    return Response(evaluation_data(fresh, _user(request)), status=code)


def _expert(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def _own_appointment(evaluation: Evaluation, user: User) -> ExpertAppointment:
    appointment = selectors.appointment_of(evaluation, user)
    if appointment is None:
        raise NotAllowed(_("Only the appointed expert may do this."))
    return appointment


class CaseEvaluationsView(APIView):
    @extend_schema(
        operation_id="cases_evaluations_list",
        summary="The case's neutral evaluations, newest first",
        responses={200: EvaluationSerializer(many=True), 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case, _read_only = access_case_for_reading(user=user, case_no=case_no)
        return Response([evaluation_data(e, user) for e in selectors.evaluations_of_case(case)])

    @extend_schema(
        operation_id="cases_evaluations_request",
        summary="Ask for a neutral evaluation (the organization, or the institution for a "
        "hard complaint)",
        request=RequestInputSerializer,
        responses={
            201: EvaluationSerializer,
            400: _error("`reason_required`, `invalid_ground`, `invalid`."),
            403: _error("`permission_denied`: the applicant, or no side of the case."),
            404: _NOT_FOUND,
            409: _error("`illegal_state`, `evaluation_pending`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = RequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = services.evaluation_request(
            case=case,
            user=user,
            ground=body.validated_data.get("ground", ""),
            reason=body.validated_data["reason"],
        )
        return _answer(request, evaluation, status.HTTP_201_CREATED)


class MyEvaluationsView(APIView):
    @extend_schema(
        operation_id="evaluations_mine",
        summary="The evaluations you were appointed to as an independent expert",
        responses={200: EvaluationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        seen: set[int] = set()
        data = []
        for appointment in selectors.appointments_for_expert(user):
            if appointment.evaluation_id in seen:
                continue
            seen.add(appointment.evaluation_id)
            data.append(evaluation_data(appointment.evaluation, user))
        return Response(data)


class EvaluationView(APIView):
    @extend_schema(
        operation_id="evaluations_read",
        summary="One evaluation (for the declared expert with the dossier)",
        responses={200: EvaluationSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, evaluation_uuid: UUID) -> Response:
        return _answer(request, _evaluation(request, evaluation_uuid))


class AppointView(APIView):
    @extend_schema(
        operation_id="evaluations_appoint",
        summary="Appoint the independent expert (an administrator)",
        request=AppointInputSerializer,
        responses={
            200: EvaluationSerializer,
            400: _error("`invalid_expert`, `reason_required` (an override without a reason)."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`expert_conflict` (`fields.expert`), `illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        evaluation = _evaluation(request, evaluation_uuid)
        body = AppointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.evaluation_appoint_expert(
            evaluation=evaluation,
            user=_user(request),
            expert=_expert(data["expert"]),
            override=data["override"],
            override_reason=data["override_reason"],
        )
        return _answer(request, evaluation)


class ReplaceView(APIView):
    @extend_schema(
        operation_id="evaluations_replace_expert",
        summary="Replace the expert, with a reason (an administrator)",
        request=ReplaceInputSerializer,
        responses={
            200: EvaluationSerializer,
            400: _error("`invalid_expert`, `reason_required`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`expert_conflict`, `same_expert`, `illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        evaluation = _evaluation(request, evaluation_uuid)
        body = ReplaceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.evaluation_replace_expert(
            evaluation=evaluation,
            user=_user(request),
            expert=_expert(data["expert"]),
            reason=data["reason"],
            override=data["override"],
            override_reason=data["override_reason"],
        )
        return _answer(request, evaluation)


class DeclarationView(APIView):
    @extend_schema(
        operation_id="evaluations_declare_independence",
        summary="The appointed expert declares their independence",
        request=DeclarationInputSerializer,
        responses={
            200: EvaluationSerializer,
            400: _error("`declaration_required`, `confirmation_required`."),
            403: _error("`permission_denied`: not the appointed expert."),
            404: _NOT_FOUND,
            409: _error("`already_declared`, `expert_conflict`, `illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        user = _user(request)
        evaluation = _evaluation(request, evaluation_uuid)
        body = DeclarationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.appointment_declare_independence(
            appointment=_own_appointment(evaluation, user),
            user=user,
            declaration=body.validated_data["declaration"],
            confirmed=body.validated_data["confirmed"],
        )
        return _answer(request, evaluation)


class DeclineView(APIView):
    @extend_schema(
        operation_id="evaluations_decline",
        summary="The appointed expert declines, with a reason",
        request=ReasonInputSerializer,
        responses={
            200: EvaluationSerializer,
            400: _error("`reason_required`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        user = _user(request)
        evaluation = _evaluation(request, evaluation_uuid)
        body = ReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.appointment_decline(
            appointment=_own_appointment(evaluation, user),
            user=user,
            reason=body.validated_data["reason"],
        )
        return _answer(request, evaluation)


class ReportView(APIView):
    @extend_schema(
        operation_id="evaluations_report_draft",
        summary="The declared expert drafts the report (each draft a new document version)",
        request=ReportInputSerializer,
        responses={
            201: EvaluationSerializer,
            400: _error("`report_incomplete` (`fields`), `invalid`, `document_invalid`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        evaluation = _evaluation(request, evaluation_uuid)
        body = ReportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = services.evaluation_report_draft(
            evaluation=evaluation,
            user=_user(request),
            report=services.ReportInput(
                questions=data["questions"],
                findings=data["findings"],
                analysis=data["analysis"],
                opinion=data["opinion"],
            ),
            language=data["language"],
        )
        return Response(
            {
                "document": str(version.document.uuid),
                "number": version.number,
                "sha256": version.sha256,
            },
            status=status.HTTP_201_CREATED,
        )


class DeliverView(APIView):
    @extend_schema(
        operation_id="evaluations_report_deliver",
        summary="The declared expert delivers the latest draft to the parties",
        request=None,
        responses={
            200: EvaluationSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`report_missing`, `illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        evaluation = _evaluation(request, evaluation_uuid)
        services.evaluation_report_deliver(evaluation=evaluation, user=_user(request))
        return _answer(request, evaluation)


class CancelView(APIView):
    @extend_schema(
        operation_id="evaluations_cancel",
        summary="Cancel an open evaluation, with a reason (an administrator)",
        request=ReasonInputSerializer,
        responses={
            200: EvaluationSerializer,
            400: _error("`reason_required`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`illegal_state`."),
        },
    )
    def post(self, request: Request, evaluation_uuid: UUID) -> Response:
        evaluation = _evaluation(request, evaluation_uuid)
        body = ReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_cancel(
            evaluation=evaluation, user=_user(request), reason=body.validated_data["reason"]
        )
        return _answer(request, evaluation)
