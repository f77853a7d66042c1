"""API shapes. Input serializers parse types only: every business rule (scope,
who may do what) is the services', so the web and the API refuse alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accord.cases.models import Case, Consultation, Material
from accord.cases.scope import CaseApplication
from accord.cases.selectors import (
    case_allowed_transitions,
    case_timeline,
    materials_of_case,
    organization_by_code,
)
from accord.orgs.models import Organization

# Built with inline_serializer: a declared field called "fields" would read as
# an override of Serializer.fields.
ErrorDetailSerializer = inline_serializer(
    name="ErrorDetail",
    fields={
        "code": serializers.CharField(help_text="Stable error code; see docs/api.md."),
        "message": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages by input field name.",
        ),
    },
)


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error response: ``{"error": {"code", "message", "fields"}}``."""

    error = ErrorDetailSerializer


class OrganizationRefSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["code", "name"]


# --- Output ------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer[Case]):
    organization = OrganizationRefSerializer()
    respondent = OrganizationRefSerializer()
    mediator = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "case_no",
            "state",
            "channel",
            "organization",
            "respondent",
            "applicant_type",
            "applicant_name",
            "business_type",
            "dispute_nature",
            "amount",
            "mediator",
            "created_at",
            "state_changed_at",
        ]

    def get_mediator(self, case: Case) -> str | None:
        return str(case.mediator) if case.mediator_id else None


class TimelineEntrySerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    title = serializers.CharField(source="label", help_text="The action in words.")
    actor = serializers.CharField()
    role = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    hash = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField(help_text="The hearing, user or file the event is about.")
    count = serializers.IntegerField(
        help_text="Events in this entry: recording segments are summarized per hearing."
    )
    last_seq = serializers.IntegerField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)


class MaterialSerializer(serializers.ModelSerializer[Material]):
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["uuid", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]

    def get_uploaded_by(self, evidence: Material) -> str:
        return str(evidence.uploaded_by)


class CaseDetailSerializer(CaseSerializer):
    """The case with its timeline (from the trace), evidence and the moves the
    requesting user (``context["user"]``) may make now."""

    court = OrganizationRefSerializer(allow_null=True)
    referred_by = OrganizationRefSerializer(allow_null=True)
    timeline = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "state_reason",
            "applicant_phone",
            "credit_code",
            "representative",
            "description",
            "claims",
            "referred_by",
            "regulator_reference",
            "court",
            "court_case_no",
            "entrusted_on",
            "materials_signed_on",
            "consultation",
            "timeline",
            "evidence",
            "allowed_transitions",
        ]

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        return TimelineEntrySerializer(case_timeline(case=case), many=True).data

    @extend_schema_field(MaterialSerializer(many=True))
    def get_evidence(self, case: Case) -> Any:
        return MaterialSerializer(materials_of_case(case=case), many=True).data

    def get_allowed_transitions(self, case: Case) -> list[str]:
        user = self.context["user"]
        return [str(to) for to in case_allowed_transitions(case=case, user=user)]


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    organization = OrganizationRefSerializer()
    respondent = OrganizationRefSerializer()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "topic",
            "status",
            "organization",
            "respondent",
            "business_type",
            "applicant_type",
            "amount",
            "description",
            "contact_name",
            "contact_phone",
            "answer",
            "answered_at",
            "created_at",
        ]


# --- Input -------------------------------------------------------------------


def _amount_field() -> serializers.DecimalField:
    # Decimal places and digits are the service's rules (and its error messages).
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text='Yuan, as a string, e.g. "1200.50".',
    )


class ApplicationInputSerializer(serializers.Serializer[Any]):
    """An application for mediation. Organizations are named by their code."""

    organization = serializers.CharField(
        required=False, allow_blank=True, help_text="Mediation organization code, e.g. FMC."
    )
    respondent = serializers.CharField(
        required=False, allow_blank=True, help_text="Financial institution code."
    )
    applicant_type = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="natural_person | legal_person | unincorporated",
    )
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    applicant_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    applicant_id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=150)
    business_type = serializers.CharField(
        required=False, allow_blank=True, help_text="One of the business types; see docs/api.md."
    )
    dispute_nature = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="civil_commercial (others are refused as out of scope)",
    )
    amount = _amount_field()
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    claims = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def to_application(self, *, base: CaseApplication | None = None) -> CaseApplication:
        """The application the input describes; with ``base``, only the fields the
        client sent replace the base's (confirming a consultation's draft)."""
        data: dict[str, Any] = dict(self.validated_data)
        values: dict[str, Any] = (
            {
                "organization": base.organization,
                "respondent": base.respondent,
                "applicant_type": base.applicant_type,
                "applicant_name": base.applicant_name,
                "applicant_phone": base.applicant_phone,
                "applicant_id_number": base.applicant_id_number,
                "credit_code": base.credit_code,
                "representative": base.representative,
                "business_type": base.business_type,
                "dispute_nature": base.dispute_nature,
                "amount": base.amount,
                "description": base.description,
                "claims": base.claims,
            }
            if base is not None
            else {
                "organization": None,
                "respondent": None,
                "applicant_type": "",
                "applicant_name": "",
                "applicant_phone": "",
                "applicant_id_number": "",
                "credit_code": "",
                "representative": "",
                "business_type": "",
                "dispute_nature": "civil_commercial",
                "amount": None,
                "description": "",
                "claims": "",
            }
        )
        for name in ("organization", "respondent"):
            if name in data:
                values[name] = organization_by_code(data.pop(name))
        for name, value in data.items():
            values[name] = value.strip() if isinstance(value, str) else value
        for name in ("applicant_id_number", "credit_code"):
            values[name] = str(values[name]).upper()
        amount = values["amount"]
        values["amount"] = Decimal(amount) if amount is not None else None
        return CaseApplication(**values)


class ConsultationInputSerializer(serializers.Serializer[Any]):
    topic = serializers.CharField(help_text="consultation | mediation | notarization | arbitration")
    organization = serializers.CharField(help_text="Mediation organization code.")
    respondent = serializers.CharField(help_text="Financial institution code.")
    business_type = serializers.CharField()
    applicant_type = serializers.CharField(required=False, default="natural_person")
    amount = _amount_field()
    description = serializers.CharField(max_length=5000)
    contact_name = serializers.CharField(max_length=150)
    contact_phone = serializers.CharField(max_length=20)


class TransitionInputSerializer(serializers.Serializer[Any]):
    to = serializers.CharField(help_text="The target state, e.g. accepted.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    mediator = serializers.IntegerField(
        required=False, allow_null=True, help_text="User id; needed to move to 'assigned'."
    )
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Assign despite a declared conflict (`mediator_conflict`); needs a reason.",
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )


class ReplaceMediatorInputSerializer(serializers.Serializer[Any]):
    mediator = serializers.IntegerField(help_text="User id of the new mediator.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Replace despite a declared conflict (`mediator_conflict`); needs a reason.",
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )


class AnswerInputSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=10000)


class EvidenceInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The evidence file (multipart/form-data).")
