"""The court API, ``/api/court/v1/`` (docs/court-api.md; the OpenAPI schema at /api/schema/).

Called by the court mediation platform, never by a browser: every request is signed with a
court's key (``auth.CourtSignatureAuthentication``); there is no session and no CSRF. Thin:
validate the body, call one service, serialize. An entrustment of another court is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
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
from accord.courts.services.entrustments import entrustment_receive


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
