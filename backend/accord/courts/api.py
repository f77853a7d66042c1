"""The court API, ``/api/court/v1/`` (docs/court-api.md; the OpenAPI schema at /api/schema/).

Called by the court mediation platform, never by a browser: every request is signed with a
court's key (``auth.CourtSignatureAuthentication``); there is no session and no CSRF. Thin:
validate the body, call one service, serialize. An entrustment of another court is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.cases.api_support import error_response as _error
from accord.cases.models import ApplicantType, BusinessType
from accord.core.api import ServiceError
from accord.courts.auth import CourtSignatureAuthentication, IsCourt, court_key
from accord.courts.models import Entrustment, EntrustmentKind
from accord.courts.services.callbacks import entrustment_status
from accord.courts.services.confirmations import (
    confirmation_outcome_by_court,
    confirmation_package_by_court,
    confirmation_status,
    court_confirmations,
    recusal_by_court,
)
from accord.courts.services.entrustments import entrustment_receive
from accord.documents.services import read_object
from accord.outcomes.models import ConfirmationApplication, ConfirmationStatus


class CourtSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "accord.courts.auth.CourtSignatureAuthentication"
    name = "courtSignature"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Accord-Signature",
            "description": (
                "HMAC-SHA256 request signature with X-Accord-Key, X-Accord-Timestamp and "
                "X-Accord-Nonce; see docs/court-api.md."
            ),
        }


SIGNATURE_REFUSED = (
    "`key_unknown`, `signature_invalid`, `timestamp_skew`, `nonce_reused`: the request is "
    "not signed by an active key of a court (nothing is stored)."
)
NOT_FOUND = _error("`not_found`: no such entrustment of your court.")


class CourtPartySerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ApplicantType.choices)
    phone = serializers.CharField(max_length=20)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)


class CourtRespondentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    org_code = serializers.CharField(
        max_length=32, help_text="The financial institution's organization code on Accord."
    )


class CourtMaterialSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    url = serializers.URLField(max_length=1000)


class EntrustmentInputSerializer(serializers.Serializer[Any]):
    court_case_no = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=EntrustmentKind.choices)
    applicant = CourtPartySerializer()
    respondent = CourtRespondentSerializer()
    claims = serializers.CharField(max_length=20000)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, coerce_to_string=True
    )
    materials = CourtMaterialSerializer(many=True, required=False)
    business_type = serializers.ChoiceField(
        choices=BusinessType.choices,
        required=False,
        default=BusinessType.OTHER_FINANCIAL,
        help_text="The financial business the dispute arises from (other_financial if omitted).",
    )
    organization = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="The mediation organization's code; the court's default one if omitted.",
    )


EntrustmentCreatedSerializer = inline_serializer(
    name="EntrustmentCreated",
    fields={
        "entrustment_id": serializers.UUIDField(),
        "status": serializers.CharField(),
    },
)

EntrustmentStatusSerializer = inline_serializer(
    name="EntrustmentStatus",
    fields={
        "entrustment_id": serializers.UUIDField(),
        "court_case_no": serializers.CharField(),
        "kind": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["pending", "accepted", "declined"]),
        "organization": serializers.CharField(),
        "received_at": serializers.DateTimeField(),
        "decision": serializers.JSONField(allow_null=True),
        "case_no": serializers.CharField(allow_null=True),
        "case_state": serializers.CharField(allow_null=True),
        "materials_signed_on": serializers.DateField(allow_null=True),
        "deadlines": serializers.ListField(child=serializers.JSONField()),
        "materials": serializers.ListField(child=serializers.JSONField()),
        "feedback": serializers.JSONField(allow_null=True),
        "materials_returned": serializers.JSONField(allow_null=True),
    },
)


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """The body as ``serializer_class`` reads it, or 400 ``validation_failed`` by field."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ServiceError(
            "The request has invalid fields.",
            code="validation_failed",
            fields=dict(serializer.errors),
        )
    return dict(serializer.validated_data)


def plain(value: Any) -> Any:
    """Validated data as JSON values (Decimal amounts as strings, nested dicts plain)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


class CourtApiView(APIView):
    authentication_classes = [CourtSignatureAuthentication]
    permission_classes = [IsCourt]
    throttle_classes: list[Any] = []
    error_responses = {401: SIGNATURE_REFUSED}


class EntrustmentsView(CourtApiView):
    @extend_schema(
        operation_id="court_entrustments_create",
        summary="Push an entrustment to a mediation organization (a court)",
        tags=["court"],
        request=EntrustmentInputSerializer,
        responses={
            200: EntrustmentCreatedSerializer,
            201: EntrustmentCreatedSerializer,
            400: _error("`validation_failed`: by field (`applicant.phone`, `materials.0.url`…)."),
            409: _error("`conflict`: another body was pushed under this court case number."),
        },
    )
    def post(self, request: Request) -> Response:
        data = plain(validated(EntrustmentInputSerializer, request.data))
        received = entrustment_receive(key=court_key(request), data=data)
        entrustment = received.entrustment
        return Response(
            {"entrustment_id": str(entrustment.uuid), "status": entrustment.status},
            status=status.HTTP_201_CREATED if received.created else status.HTTP_200_OK,
        )


def court_entrustment(request: Request, entrustment_id: str) -> Entrustment:
    """The entrustment ``entrustment_id`` if the signing key's court pushed it, else 404."""
    entrustment = (
        Entrustment.objects.select_related("organization", "court", "case")
        .filter(uuid=entrustment_id, court=court_key(request).court)
        .first()
    )
    if entrustment is None:
        raise Http404
    return entrustment


class EntrustmentView(CourtApiView):
    @extend_schema(
        operation_id="court_entrustments_retrieve",
        summary="An entrustment's status, decision, case, deadlines, feedback letter",
        tags=["court"],
        responses={200: EntrustmentStatusSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, entrustment_id: str) -> Response:
        return Response(entrustment_status(court_entrustment(request, entrustment_id)))


class RecusalInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


RecusalResultSerializer = inline_serializer(
    name="CourtRecusalResult",
    fields={"recusal_id": serializers.IntegerField(), "status": serializers.CharField()},
)


class EntrustmentRecusalView(CourtApiView):
    @extend_schema(
        operation_id="court_entrustments_recusal",
        summary="Require the recusal of the mediator of an entrusted case",
        tags=["court"],
        request=RecusalInputSerializer,
        responses={
            201: RecusalResultSerializer,
            400: _error("`validation_failed` / `reason_required`: the reason is missing."),
            404: NOT_FOUND,
            409: _error("`illegal_state`: not accepted yet, or the case has no mediator."),
        },
    )
    def post(self, request: Request, entrustment_id: str) -> Response:
        entrustment = court_entrustment(request, entrustment_id)
        data = validated(RecusalInputSerializer, request.data)
        recusal = recusal_by_court(entrustment=entrustment, reason=data["reason"])
        return Response(
            {"recusal_id": recusal.pk, "status": recusal.status}, status=status.HTTP_201_CREATED
        )


class EntrustmentFeedbackLetterView(CourtApiView):
    @extend_schema(
        operation_id="court_entrustments_feedback_letter",
        summary="The feedback letter the organization sent (PDF)",
        tags=["court"],
        responses={
            (200, "application/pdf"): bytes,
            404: _error("`not_found`: no such entrustment, or no letter sent yet."),
        },
    )
    def get(self, request: Request, entrustment_id: str) -> HttpResponse:
        from accord.courts.models import CourtFeedback

        entrustment = court_entrustment(request, entrustment_id)
        feedback = (
            CourtFeedback.objects.select_related("letter")
            .filter(entrustment=entrustment, sent_at__isnull=False)
            .first()
        )
        if feedback is None or feedback.letter is None:
            raise Http404
        letter = feedback.letter
        response = HttpResponse(
            read_object(letter.bucket, letter.storage_key), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="feedback-{letter.uuid}.pdf"'
        return response


ConfirmationStatusSerializer = inline_serializer(
    name="CourtConfirmation",
    fields={
        "confirmation_id": serializers.UUIDField(),
        "status": serializers.ChoiceField(choices=ConfirmationStatus.choices),
        "case_no": serializers.CharField(),
        "organization": serializers.CharField(),
        "entrustment_id": serializers.UUIDField(allow_null=True),
        "court_case_no": serializers.CharField(allow_null=True),
        "filed_at": serializers.DateTimeField(allow_null=True),
        "package": serializers.JSONField(allow_null=True),
        "ruling": serializers.JSONField(allow_null=True),
    },
)

CONFIRMATION_NOT_FOUND = _error("`not_found`: no such application filed with your court.")


def court_confirmation(request: Request, confirmation_id: str) -> ConfirmationApplication:
    application = (
        ConfirmationApplication.objects.select_related("case__organization", "court")
        .filter(uuid=confirmation_id, court=court_key(request).court)
        .exclude(status=ConfirmationStatus.AWAITING_CONSENT)
        .first()
    )
    if application is None:
        raise Http404
    return application


class ConfirmationListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=[
            ConfirmationStatus.FILED,
            ConfirmationStatus.CONFIRMED,
            ConfirmationStatus.REJECTED,
        ],
        required=False,
    )


class ConfirmationsView(CourtApiView):
    @extend_schema(
        operation_id="court_confirmations_list",
        summary="Applications for judicial confirmation filed with your court",
        tags=["court"],
        parameters=[ConfirmationListQuerySerializer],
        responses={
            200: inline_serializer(
                name="CourtConfirmationList",
                fields={"results": serializers.ListField(child=ConfirmationStatusSerializer)},
            ),
            400: _error("`validation_failed`: an unknown status."),
        },
    )
    def get(self, request: Request) -> Response:
        query = validated(ConfirmationListQuerySerializer, request.query_params.dict())
        found = court_confirmations(court_key(request).court, query.get("status", ""))
        return Response({"results": [confirmation_status(a) for a in found[:200]]})


class ConfirmationView(CourtApiView):
    @extend_schema(
        operation_id="court_confirmations_retrieve",
        summary="One application filed with your court",
        tags=["court"],
        responses={200: ConfirmationStatusSerializer, 404: CONFIRMATION_NOT_FOUND},
    )
    def get(self, request: Request, confirmation_id: str) -> Response:
        return Response(confirmation_status(court_confirmation(request, confirmation_id)))


class ConfirmationPackageView(CourtApiView):
    @extend_schema(
        operation_id="court_confirmations_package",
        summary="The application package (zip: statement, agreement, identities, manifest)",
        tags=["court"],
        responses={
            (200, "application/zip"): bytes,
            404: CONFIRMATION_NOT_FOUND,
            503: _error("`storage_unavailable`: the package cannot be read now."),
        },
    )
    def get(self, request: Request, confirmation_id: str) -> StreamingHttpResponse:
        application = court_confirmation(request, confirmation_id)
        chunks = confirmation_package_by_court(application)
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="confirmation-{application.uuid}.zip"'
        )
        return response


class OutcomeInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=["confirmed", "rejected"])
    ruling_no = serializers.CharField(max_length=100)
    decided_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ConfirmationOutcomeView(CourtApiView):
    @extend_schema(
        operation_id="court_confirmations_outcome",
        summary="Record the court's ruling on a filed application",
        tags=["court"],
        request=OutcomeInputSerializer,
        responses={
            200: ConfirmationStatusSerializer,
            400: _error(
                "`validation_failed`, `reason_required` (a rejection needs its reason), "
                "`invalid_date` (between the filing and today)."
            ),
            404: CONFIRMATION_NOT_FOUND,
            409: _error("`not_filed`: the ruling was already recorded."),
        },
    )
    def post(self, request: Request, confirmation_id: str) -> Response:
        application = court_confirmation(request, confirmation_id)
        data = validated(OutcomeInputSerializer, request.data)
        decided = confirmation_outcome_by_court(
            application=application,
            outcome=data["outcome"],
            ruling_no=data["ruling_no"],
            decided_on=data.get("decided_on"),
            reason=data.get("reason", ""),
        )
        return Response(confirmation_status(decided))
