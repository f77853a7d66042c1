"""REST API of deadlines (docs/api.md and /api/schema/): a case's time limits, asking for an
extension, a party's consent, applying it. Thin: look the case up (404 for what you may not
see), call one service, serialize."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.cases.api_support import api_user as _user
from accord.cases.api_support import error_response as _error
from accord.cases.selectors import access_case, access_case_for_reading
from accord.deadlines import extensions
from accord.deadlines.selectors import deadline_of_case, deadlines_of_case, extension_of_case
from accord.deadlines.serializers import (
    DeadlineSerializer,
    ExtensionAnswerInputSerializer,
    ExtensionRequestInputSerializer,
    ExtensionSerializer,
    deadline_data,
    extension_data,
)

_NOT_FOUND = _error("`not_found`: no such case or deadline, or not visible to you.")


class CaseDeadlinesView(APIView):
    @extend_schema(
        operation_id="cases_deadlines_list",
        summary="The case's time limits, with their extensions and the parties' consents",
        responses={200: DeadlineSerializer(many=True), 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        case, _read_only = access_case_for_reading(user=_user(request), case_no=case_no)
        return Response([deadline_data(d, case) for d in deadlines_of_case(case)])


class DeadlineExtensionsView(APIView):
    @extend_schema(
        operation_id="cases_deadlines_extension_request",
        summary="Ask the parties to extend a time limit (mediator or administrator)",
        request=ExtensionRequestInputSerializer,
        responses={
            201: ExtensionSerializer,
            400: _error("`days_out_of_range`, `reason_required`."),
            403: _error("`permission_denied`: not the mediator or an administrator."),
            404: _NOT_FOUND,
            409: _error("`deadline_closed`, `extension_pending`."),
        },
    )
    def post(self, request: Request, case_no: str, deadline_id: int) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        deadline = deadline_of_case(case, deadline_id)
        if deadline is None:
            raise Http404
        body = ExtensionRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = extensions.extension_request(
            deadline=deadline,
            user=user,
            days=body.validated_data["days"],
            reason=body.validated_data["reason"],
        )
        return Response(extension_data(extension, case), status=status.HTTP_201_CREATED)


class ExtensionAnswerView(APIView):
    @extend_schema(
        operation_id="cases_extensions_answer",
        summary="Consent to or refuse an extension, for your party",
        request=ExtensionAnswerInputSerializer,
        responses={
            200: ExtensionSerializer,
            400: _error("`invalid_party`."),
            403: _error("`permission_denied`: you are not that party."),
            404: _NOT_FOUND,
            409: _error("`extension_decided`, `already_answered`, `deadline_closed`."),
        },
    )
    def post(self, request: Request, case_no: str, extension_id: int) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        extension = extension_of_case(case, extension_id)
        if extension is None:
            raise Http404
        body = ExtensionAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extensions.extension_answer(
            extension=extension,
            user=user,
            party=body.validated_data["party"],
            consents=body.validated_data["consents"],
        )
        extension.refresh_from_db()
        return Response(extension_data(extension, case))


class ExtensionApplyView(APIView):
    @extend_schema(
        operation_id="cases_extensions_apply",
        summary="Apply an extension every party consented to (mediator or administrator)",
        request=None,
        responses={
            200: DeadlineSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error(
                "`consent_missing` (`fields.consents` names the parties), "
                "`no_applicant_account`, `extension_decided`, `deadline_closed`."
            ),
        },
    )
    def post(self, request: Request, case_no: str, extension_id: int) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        extension = extension_of_case(case, extension_id)
        if extension is None:
            raise Http404
        deadline = extensions.extension_apply(extension=extension, user=user)
        data: Any = deadline_data(deadline, case)
        return Response(data)
