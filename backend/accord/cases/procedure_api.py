"""REST API for the institution's answer and for transfers (documented in docs/api.md).

Views parse, look the object up through a selector (404 for what the user may not see), call
one service and serialize. Refusals are ``ServiceError``s, rendered by
``accord.core.api.exception_handler``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.cases import selectors
from accord.cases.api import case_detail_data
from accord.cases.api_support import api_user as _user
from accord.cases.api_support import error_response as _error
from accord.cases.serializers import (
    CaseDetailSerializer,
    CaseTransferSerializer,
    RespondentAnswerInputSerializer,
    TransferAcceptInputSerializer,
    TransferDeclineInputSerializer,
    TransferRequestInputSerializer,
)
from accord.cases.services.answers import case_answer
from accord.cases.services.transfers import (
    case_transfer_accept,
    case_transfer_decline,
    case_transfer_request,
)

_NOT_FOUND = _error("`not_found`: no such case or transfer, or not visible to you.")


class CaseAnswerView(APIView):
    @extend_schema(
        operation_id="cases_answer",
        summary="The institution answers: agree to mediate, or decline with reasons",
        request=RespondentAnswerInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: _error("`invalid_decision`, `reason_required` or `invalid_evidence`."),
            403: _error("`permission_denied`: not staff of the respondent institution."),
            404: _NOT_FOUND,
            409: _error("`already_answered` or `illegal_state`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = RespondentAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case_answer(
            case=case,
            user=user,
            decision=data["decision"],
            reasons=data["reasons"],
            position=data["position"],
            evidence=data["evidence"],
        )
        return Response(case_detail_data(case, user), status=status.HTTP_201_CREATED)


class CaseTransfersView(APIView):
    @extend_schema(
        operation_id="cases_transfers_list",
        summary="The case's transfers: its history of organizations",
        responses={200: CaseTransferSerializer(many=True), 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        case = selectors.access_case(user=_user(request), case_no=case_no)
        return Response(CaseTransferSerializer(selectors.transfers_of(case=case), many=True).data)

    @extend_schema(
        operation_id="cases_transfers_create",
        summary="Ask another mediation organization (or the assigning regulator) to take over",
        request=TransferRequestInputSerializer,
        responses={
            201: CaseTransferSerializer,
            400: _error("`invalid_target` (field `to_organization`) or `reason_required`."),
            403: _error("`permission_denied`: not an administrator of the organization."),
            404: _NOT_FOUND,
            409: _error("`illegal_state` or `transfer_pending`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        serializer = TransferRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        transfer = case_transfer_request(
            case=case,
            user=user,
            to_organization=selectors.organization_by_code(data["to_organization"]),
            reason=data["reason"],
        )
        return Response(CaseTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class TransferAcceptView(APIView):
    @extend_schema(
        operation_id="cases_transfers_accept",
        summary="Accept a transfer (for a return: name the organization next)",
        request=TransferAcceptInputSerializer,
        responses={
            200: CaseTransferSerializer,
            400: _error("`invalid_target` (field `next_organization`)."),
            403: _error("`permission_denied`: not the receiving side."),
            404: _NOT_FOUND,
            409: _error("`transfer_decided` or `illegal_state`."),
        },
    )
    def post(self, request: Request, case_no: str, transfer_id: int) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        transfer = selectors.access_transfer(user=user, case=case, transfer_id=transfer_id)
        serializer = TransferAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        accepted = case_transfer_accept(
            transfer=transfer,
            user=user,
            reason=data["reason"],
            next_organization=selectors.organization_by_code(data["next_organization"]),
        )
        return Response(CaseTransferSerializer(accepted).data)


class TransferDeclineView(APIView):
    @extend_schema(
        operation_id="cases_transfers_decline",
        summary="Decline a transfer, with a reason (the case stays where it was)",
        request=TransferDeclineInputSerializer,
        responses={
            200: CaseTransferSerializer,
            400: _error("`reason_required`."),
            403: _error("`permission_denied`: not the receiving side."),
            404: _NOT_FOUND,
            409: _error("`transfer_decided`."),
        },
    )
    def post(self, request: Request, case_no: str, transfer_id: int) -> Response:
        user = _user(request)
        case = selectors.access_case(user=user, case_no=case_no)
        transfer = selectors.access_transfer(user=user, case=case, transfer_id=transfer_id)
        serializer = TransferDeclineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declined = case_transfer_decline(
            transfer=transfer, user=user, reason=serializer.validated_data["reason"]
        )
        return Response(CaseTransferSerializer(declined).data)


class TransfersWaitingView(APIView):
    @extend_schema(
        operation_id="transfers_waiting",
        summary="The pending transfers you decide (receiving administrators, regulator officers)",
        responses={200: CaseTransferSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        transfers = selectors.transfers_waiting_for(user=_user(request))
        return Response(CaseTransferSerializer(transfers, many=True).data)
