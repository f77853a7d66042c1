"""REST API of the outcomes (docs/api.md and /api/schema/). Thin: look the case or the
court's / office's item up (404 for what you may not see), call one service, serialize."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case, access_case_for_reading
from accord.cases.serializers import ErrorSerializer
from accord.outcomes import services
from accord.outcomes.models import (
    ConfirmationApplication,
    NotarizationRequest,
    SealedAgreement,
)
from accord.outcomes.selectors import (
    access_court_confirmation,
    access_notary_referral,
    agreement_of_case,
    agreements_of_case,
    confirmation_of_case,
    court_confirmations,
    failure_of,
    notarization_of_case,
    notary_referrals,
    obligation_of_case,
)
from accord.outcomes.serializers import (
    ConfirmationApplyInputSerializer,
    ConfirmationOutcomeInputSerializer,
    ConfirmationSerializer,
    ConfirmInputSerializer,
    CourtConfirmationSerializer,
    FailureNoticeInputSerializer,
    FailureReferralInputSerializer,
    FailureSerializer,
    GuarantorConsentInputSerializer,
    NotarizationOutcomeInputSerializer,
    NotarizationRequestInputSerializer,
    NotarizationSerializer,
    NotaryReferralSerializer,
    ObligationSerializer,
    OutcomesSerializer,
    confirmation_data,
    failure_data,
    notarization_data,
    obligation_data,
    outcomes_data,
)
from accord.outcomes.services.performance import sealed_sha256


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


_NOT_FOUND = _error("`not_found`: no such case or item, or not visible to you.")
_TOO_LONG = "`too_long`"


def _user(request: Request) -> User:
    """Precondition: ``IsAuthenticated`` (the default permission) passed."""
    assert isinstance(request.user, User)
    return request.user


def _agreement(case: Case, version: UUID) -> SealedAgreement:
    found = agreement_of_case(case, version)
    if found is None:
        raise Http404
    return found


def _confirmation(case: Case, uuid: UUID) -> ConfirmationApplication:
    found = confirmation_of_case(case, uuid)
    if found is None:
        raise Http404
    return found


def _notarization(case: Case, uuid: UUID) -> NotarizationRequest:
    found = notarization_of_case(case, uuid)
    if found is None:
        raise Http404
    return found


def _confirmation_json(application: ConfirmationApplication) -> Any:
    application.refresh_from_db()
    return ConfirmationSerializer(confirmation_data(application)).data


def _notarization_json(request: NotarizationRequest) -> Any:
    request.refresh_from_db()
    return NotarizationSerializer(notarization_data(request)).data


class CaseOutcomesView(APIView):
    @extend_schema(
        operation_id="cases_outcomes",
        summary="Agreements in effect (obligations, judicial confirmation, notarization) and "
        "the failure notice and referral",
        responses={200: OutcomesSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, case_no: str) -> Response:
        case, _read_only = access_case_for_reading(user=_user(request), case_no=case_no)
        return Response(outcomes_data(list(agreements_of_case(case)), failure_of(case)))


class ObligationConfirmView(APIView):
    @extend_schema(
        operation_id="cases_obligations_confirm",
        summary="Confirm that an obligation owed to your side was performed",
        request=ConfirmInputSerializer,
        responses={
            200: ObligationSerializer,
            400: _error(_TOO_LONG),
            403: _error("`not_obligee`: your side does not receive this performance."),
            404: _NOT_FOUND,
            409: _error("`already_performed`."),
        },
    )
    def post(self, request: Request, case_no: str, obligation_id: int) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        obligation = obligation_of_case(case, obligation_id)
        if obligation is None:
            raise Http404
        body = ConfirmInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.obligation_confirm(
            obligation=obligation, user=user, note=body.validated_data["note"]
        )
        return Response(ObligationSerializer(obligation_data(done)).data)


class ConfirmationsView(APIView):
    @extend_schema(
        operation_id="cases_confirmations_apply",
        summary="Apply for judicial confirmation of a sealed agreement (a party)",
        request=ConfirmationApplyInputSerializer,
        responses={
            201: ConfirmationSerializer,
            400: _error("`court_required`, `invalid_court`, `court_fixed`."),
            403: _error("`permission_denied`: not a party."),
            404: _NOT_FOUND,
            409: _error("`confirmation_exists`, `confirmation_late`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = ConfirmationApplyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.confirmation_apply(
            agreement=_agreement(case, body.validated_data["agreement"]),
            user=user,
            court=body.validated_data["court"] or None,
        )
        return Response(_confirmation_json(application), status=status.HTTP_201_CREATED)


class ConfirmationConsentView(APIView):
    @extend_schema(
        operation_id="cases_confirmations_consent",
        summary="Join the other party's application; it is filed with the court",
        request=None,
        responses={
            200: ConfirmationSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`already_consented`, `confirmation_late`."),
            503: _error("`storage_unavailable`: the package could not be stored."),
        },
    )
    def post(self, request: Request, case_no: str, uuid: UUID) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        application = services.confirmation_consent(
            application=_confirmation(case, uuid), user=user
        )
        return Response(_confirmation_json(application))


class NotarizationsView(APIView):
    @extend_schema(
        operation_id="cases_notarizations_request",
        summary="Ask for notarization of a sealed agreement with enforcement effect (a party)",
        request=NotarizationRequestInputSerializer,
        responses={
            201: NotarizationSerializer,
            400: _error(
                "`invalid_notary_office`, `invalid_creditor`, `nothing_to_enforce`, `too_long`."
            ),
            403: _error("`permission_denied`: not a party."),
            404: _NOT_FOUND,
            409: _error("`notarization_exists`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = NotarizationRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        found = services.notarization_request(
            agreement=_agreement(case, data["agreement"]),
            user=user,
            notary_office=data["notary_office"],
            creditor=data["creditor"],
            guarantor_name=data["guarantor_name"],
        )
        return Response(_notarization_json(found), status=status.HTTP_201_CREATED)


class NotarizationConsentView(APIView):
    @extend_schema(
        operation_id="cases_notarizations_consent",
        summary="Consent to the notarization, for your side",
        request=None,
        responses={
            200: NotarizationSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`already_consented`."),
        },
    )
    def post(self, request: Request, case_no: str, uuid: UUID) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        found = services.notarization_consent(request=_notarization(case, uuid), user=user)
        return Response(_notarization_json(found))


class GuarantorConsentView(APIView):
    @extend_schema(
        operation_id="cases_notarizations_guarantor_consent",
        summary="Record the guarantor's written consent (mediator or administrator)",
        request=GuarantorConsentInputSerializer,
        responses={
            200: NotarizationSerializer,
            400: _error("`invalid_material`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`no_guarantor`, `already_consented`."),
        },
    )
    def post(self, request: Request, case_no: str, uuid: UUID) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = GuarantorConsentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = services.notarization_guarantor_consent(
            request=_notarization(case, uuid),
            user=user,
            material=body.validated_data["material"] or None,
        )
        return Response(_notarization_json(found))


class NotarizationReferView(APIView):
    @extend_schema(
        operation_id="cases_notarizations_refer",
        summary="Refer the agreement to the notary office (mediator or administrator)",
        request=None,
        responses={
            200: NotarizationSerializer,
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`consent_missing` (`fields.consents` names whose), `already_consented`."),
        },
    )
    def post(self, request: Request, case_no: str, uuid: UUID) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        found = services.notarization_refer(request=_notarization(case, uuid), user=user)
        return Response(_notarization_json(found))


class FailureNoticeView(APIView):
    @extend_schema(
        operation_id="cases_failure_notice",
        summary="Issue the failure notice (mediator or administrator)",
        request=FailureNoticeInputSerializer,
        responses={
            201: FailureSerializer,
            400: _error("`reason_required` (the advice), `invalid_routes`, `too_long`."),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`illegal_state`, `notice_issued`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = FailureNoticeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        failure = services.failure_notice_issue(
            case=case,
            user=user,
            advice=body.validated_data["advice"],
            routes=body.validated_data["routes"],
        )
        return Response(
            FailureSerializer(failure_data(failure)).data, status=status.HTTP_201_CREATED
        )


class FailureReferralView(APIView):
    @extend_schema(
        operation_id="cases_failure_referral",
        summary="Record the referral to arbitration or litigation (mediator or administrator)",
        request=FailureReferralInputSerializer,
        responses={
            200: FailureSerializer,
            400: _error(
                "`invalid_route`, `invalid_referral_target`, `green_channel_litigation_only`, "
                "`too_long`."
            ),
            403: _error("`permission_denied`."),
            404: _NOT_FOUND,
            409: _error("`notice_missing`, `already_referred`."),
        },
    )
    def post(self, request: Request, case_no: str) -> Response:
        user = _user(request)
        case = access_case(user=user, case_no=case_no)
        body = FailureReferralInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        failure = services.failure_refer(
            case=case,
            user=user,
            route=data["route"],
            to=data["to"],
            green_channel=data["green_channel"],
            note=data["note"],
        )
        return Response(FailureSerializer(failure_data(failure)).data)


def _court_json(application: ConfirmationApplication) -> Any:
    data = {
        **confirmation_data(application),
        "case_no": application.case.case_no,
        "package_size": application.package_size,
    }
    return CourtConfirmationSerializer(data).data


def _notary_json(found: NotarizationRequest) -> Any:
    data = {
        **notarization_data(found),
        "case_no": found.case.case_no,
        "agreement": found.agreement.version.uuid,
        "agreement_sha256": sealed_sha256(found.agreement.version),
    }
    return NotaryReferralSerializer(data).data


class CourtConfirmationsView(APIView):
    @extend_schema(
        operation_id="court_confirmations_list",
        summary="Applications for judicial confirmation filed with your court (clerks)",
        responses={200: CourtConfirmationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response([_court_json(a) for a in court_confirmations(_user(request))])


class CourtConfirmationOutcomeView(APIView):
    @extend_schema(
        operation_id="court_confirmations_outcome",
        summary="Record the court's ruling on an application (a clerk of that court)",
        request=ConfirmationOutcomeInputSerializer,
        responses={
            200: CourtConfirmationSerializer,
            400: _error(
                "`invalid_outcome`, `ruling_no_required`, `reason_required`, `invalid_date`, "
                "`too_long`."
            ),
            404: _NOT_FOUND,
            409: _error("`not_filed`: already decided."),
        },
    )
    def post(self, request: Request, uuid: UUID) -> Response:
        user = _user(request)
        application = access_court_confirmation(user, uuid)
        body = ConfirmationOutcomeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        done = services.confirmation_record_outcome(
            application=application,
            user=user,
            outcome=data["outcome"],
            ruling_no=data["ruling_no"],
            reason=data["reason"],
            decided_on=data["decided_on"],
        )
        return Response(_court_json(done))


class NotaryReferralsView(APIView):
    @extend_schema(
        operation_id="notary_referrals_list",
        summary="Agreements referred to your notary office (notaries)",
        responses={200: NotaryReferralSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response([_notary_json(n) for n in notary_referrals(_user(request))])


class NotaryReferralOutcomeView(APIView):
    @extend_schema(
        operation_id="notary_referrals_outcome",
        summary="Record the notarization's outcome (a notary of that office)",
        request=NotarizationOutcomeInputSerializer,
        responses={
            200: NotaryReferralSerializer,
            400: _error(
                "`invalid_outcome`, `certificate_no_required`, `reason_required`, `too_long`."
            ),
            404: _NOT_FOUND,
            409: _error("`not_referred`: already recorded."),
        },
    )
    def post(self, request: Request, uuid: UUID) -> Response:
        user = _user(request)
        found = access_notary_referral(user, uuid)
        body = NotarizationOutcomeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        done = services.notarization_record_outcome(
            request=found,
            user=user,
            outcome=data["outcome"],
            certificate_no=data["certificate_no"],
            reason=data["reason"],
        )
        return Response(_notary_json(done))
