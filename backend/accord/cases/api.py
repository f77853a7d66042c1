"""REST API for cases and consultations (documented in docs/api.md and at /api/schema/).

Views parse, look the object up through a selector (404 for what the user may
not see), call one service and serialize. Refusals are ``ServiceError``s,
rendered by ``accord.core.api.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts.models import User
from accord.cases import selectors, services
from accord.cases.api_support import api_user as _user
from accord.cases.api_support import error_response as _error
from accord.cases.models import Case
from accord.cases.serializers import (
    AnswerInputSerializer,
    ApplicationInputSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ComplexityInputSerializer,
    ConsultationInputSerializer,
    ConsultationSerializer,
    EvidenceInputSerializer,
    MaterialSerializer,
    ReplaceMediatorInputSerializer,
    TransitionInputSerializer,
)
from accord.core.api import ServiceError

_NOT_SIGNED_IN = _error("`not_authenticated`: no session.")
_NOT_FOUND = _error("`not_found`: no such object, or not visible to you.")


def case_detail_data(case: Case, user: User) -> Any:
    return CaseDetailSerializer(case, context={"user": user}).data


class CaseListCreateView(APIView):
    @extend_schema(
        operation_id="cases_list",
        summary="The cases you may see",
        responses={200: CaseSerializer(many=True), 403: _NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> Response:
        cases = selectors.case_list_for_user(user=_user(request))
        return Response(CaseSerializer(cases, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        summary="Apply for mediation (party application)",
        request=ApplicationInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: _error("`out_of_scope` or `invalid`, with `fields`."),
            403: _NOT_SIGNED_IN,
        },
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        serializer = ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_apply(applicant=user, application=serializer.to_application())
        return Response(case_detail_data(case, user), status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case with its timeline, evidence and your allowed transitions",
        responses={200: CaseDetailSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        return Response(case_detail_data(case, user))


class CaseTransitionView(APIView):
    @extend_schema(
        operation_id="cases_transition",
        summary="Move a case to another state",
        request=TransitionInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: _error(
                "`invalid`, `reason_required` (also: `override` without `override_reason`) "
                "or `invalid_mediator`."
            ),
            403: _error("`permission_denied`: not your move."),
            404: _NOT_FOUND,
            409: _error(
                "`illegal_transition`: no such move from the current state; "
                "`mediator_conflict`: the mediator declared a relationship touching the case "
                "(send `override` with `override_reason` to assign anyway)."
            ),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mediator_id = serializer.validated_data.get("mediator")
        mediator = User.objects.filter(pk=mediator_id).first() if mediator_id else None
        services.case_transition(
            case=case,
            user=user,
            to=serializer.validated_data["to"],
            reason=serializer.validated_data["reason"],
            mediator=mediator,
            override=serializer.validated_data["override"],
            override_reason=serializer.validated_data["override_reason"],
            complexity=serializer.validated_data["complexity"],
        )
        return Response(case_detail_data(case, user))


class CaseComplexityView(APIView):
    @extend_schema(
        operation_id="cases_change_complexity",
        summary="Change an accepted case's complexity, with a reason (administrators)",
        request=ComplexityInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: _error("`invalid_complexity` or `reason_required`."),
            403: _error("`permission_denied`: not an administrator of the organization."),
            404: _NOT_FOUND,
            409: _error("`not_open`: not accepted, or already decided; `unchanged`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = ComplexityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_set_complexity(
            case=case,
            user=user,
            complexity=serializer.validated_data["complexity"],
            reason=serializer.validated_data["reason"],
        )
        return Response(case_detail_data(case, user))


class CaseMediatorView(APIView):
    @extend_schema(
        operation_id="cases_replace_mediator",
        summary="Replace the case's mediator (administrators; case assigned or in mediation)",
        request=ReplaceMediatorInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: _error(
                "`invalid`, `reason_required` (no `reason`, or `override` without "
                "`override_reason`) or `invalid_mediator`."
            ),
            403: _error("`permission_denied`: not an administrator of the organization."),
            404: _NOT_FOUND,
            409: _error(
                "`illegal_state`: the case is not assigned or in mediation; `same_mediator`; "
                "`mediator_conflict`: the new mediator declared a relationship touching the "
                "case (send `override` with `override_reason`)."
            ),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = ReplaceMediatorInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mediator = User.objects.filter(pk=data["mediator"]).first()
        if mediator is None:
            raise ServiceError(
                _("Choose a mediator of %(org)s.") % {"org": case.organization.name},
                code="invalid_mediator",
                fields={"mediator": [_("Not a mediator of this organization.")]},
            )
        services.case_replace_mediator(
            case=case,
            user=user,
            mediator=mediator,
            reason=data["reason"],
            override=data["override"],
            override_reason=data["override_reason"],
        )
        return Response(case_detail_data(case, user))


class CaseMaterialsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="cases_evidence_list",
        summary="The case's evidence files",
        responses={200: MaterialSerializer(many=True), 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        case = selectors.access_case(user=_user(request), case_no=case_no)
        return Response(MaterialSerializer(selectors.materials_of_case(case=case), many=True).data)

    @extend_schema(
        operation_id="cases_evidence_upload",
        summary="Upload an evidence file (type read from the content)",
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={
            201: MaterialSerializer,
            400: _error(
                "`invalid`, `empty_file`, `damaged_file` (cut short or broken) or "
                "`upload_interrupted`."
            ),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`case_not_open`."),
            413: _error("`too_large`."),
            415: _error("`unsupported_type`."),
            503: _error("`storage_unavailable`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        evidence = services.material_upload(
            case=case, user=user, name=upload.name or "", stream=upload, size=upload.size
        )
        return Response(MaterialSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ConsultationListCreateView(APIView):
    @extend_schema(
        operation_id="consultations_list",
        summary="Your consultations (and those your organization answers)",
        responses={200: ConsultationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        items = selectors.consultation_list_for_user(user=_user(request))
        return Response(ConsultationSerializer(items, many=True).data)

    @extend_schema(
        operation_id="consultations_create",
        summary="Ask a question (consultation, mediation, notarization, arbitration)",
        request=ConsultationInputSerializer,
        responses={201: ConsultationSerializer, 400: _error("`invalid` or `out_of_scope`.")},
    )
    def post(self, request: Request) -> Response:
        serializer = ConsultationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        consultation = services.consultation_create(
            asker=_user(request),
            topic=data["topic"],
            organization=selectors.organization_by_code(data["organization"]),
            respondent=selectors.organization_by_code(data["respondent"]),
            business_type=data["business_type"],
            applicant_type=data["applicant_type"],
            amount=data.get("amount"),
            description=data["description"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


class ConsultationDetailView(APIView):
    @extend_schema(
        operation_id="consultations_retrieve",
        responses={200: ConsultationSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = selectors.access_consultation(
            user=_user(request), consultation_id=consultation_id
        )
        return Response(ConsultationSerializer(consultation).data)


class ConsultationAnswerView(APIView):
    @extend_schema(
        operation_id="consultations_answer",
        summary="Answer a consultation (mediators and administrators of its organization)",
        request=AnswerInputSerializer,
        responses={
            200: ConsultationSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`already_converted`."),
        },
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        user = _user(request)
        consultation = selectors.access_consultation(user=user, consultation_id=consultation_id)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answered = services.consultation_answer(
            consultation=consultation, user=user, answer=serializer.validated_data["answer"]
        )
        return Response(ConsultationSerializer(answered).data)


class ConsultationConvertView(APIView):
    @extend_schema(
        operation_id="consultations_convert",
        summary="Turn your consultation into a mediation case",
        description=(
            "The consultation's details are the application; send only the fields you "
            "want to complete or correct (same names as in `POST /api/cases/`)."
        ),
        request=ApplicationInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: _error("`out_of_scope` or `invalid`, with `fields`."),
            403: _error("`permission_denied`: only the asker converts."),
            404: _NOT_FOUND,
            409: _error("`already_converted`."),
        },
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        user = _user(request)
        consultation = selectors.access_consultation(user=user, consultation_id=consultation_id)
        serializer = ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = selectors.consultation_application_draft(consultation=consultation)
        case = services.consultation_convert_to_case(
            consultation=consultation, user=user, application=serializer.to_application(base=draft)
        )
        return Response(case_detail_data(case, user), status=status.HTTP_201_CREATED)
