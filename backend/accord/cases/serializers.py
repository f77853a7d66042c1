"""API shapes. Input serializers parse types only: every business rule (scope,
who may do what) is the services', so the web and the API refuse alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accord.cases.models import (
    AnswerDecision,
    ApplicantType,
    BusinessType,
    Case,
    CaseComplexity,
    CaseState,
    CaseTransfer,
    Consultation,
    ConsultationTopic,
    DisputeNature,
    Material,
    RespondentAnswer,
)
from accord.cases.scope import CaseApplication
from accord.cases.selectors import (
    answer_of,
    case_allowed_transitions,
    case_timeline,
    contact_details,
    materials_of_case,
    organization_by_code,
    transfer_due,
    transfers_of,
)
from accord.core import api_schema as core_api_schema
from accord.orgs.models import Organization

# The error component lives in core (every app's API answers it); named here for the apps.
ErrorSerializer = core_api_schema.ErrorSerializer


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
            "product",
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


class RespondentAnswerSerializer(serializers.ModelSerializer[RespondentAnswer]):
    evidence = MaterialSerializer(many=True)

    class Meta:
        model = RespondentAnswer
        fields = ["decision", "reasons", "position", "evidence", "answered_at"]


DueSerializer = inline_serializer(
    name="Due",
    fields={
        "date": serializers.DateField(),
        "provisional": serializers.BooleanField(
            help_text="Counted on weekends only: that year's holiday data is not entered yet."
        ),
    },
)


class CaseTransferSerializer(serializers.ModelSerializer[CaseTransfer]):
    case_no = serializers.CharField(source="case.case_no")
    from_organization = OrganizationRefSerializer()
    to_organization = OrganizationRefSerializer()
    due = serializers.SerializerMethodField()

    class Meta:
        model = CaseTransfer
        fields = [
            "id",
            "case_no",
            "from_organization",
            "to_organization",
            "reason",
            "status",
            "requested_at",
            "decided_at",
            "decision_reason",
            "due",
        ]

    @extend_schema_field(DueSerializer)
    def get_due(self, transfer: CaseTransfer) -> dict[str, Any] | None:
        """While pending: when the receiving side should have decided."""
        if transfer.status != "pending":
            return None
        due = transfer_due(transfer=transfer)
        return {"date": due.date.isoformat(), "provisional": due.provisional}


class CaseDetailSerializer(CaseSerializer):
    """The case with its timeline (from the trace), evidence and the moves the
    requesting user (``context["user"]``) may make now. The applicant's phone and credit code
    are masked for staff of the institution until it needs them (``contact_masked``); the ID
    card number is not in the API at all (the case page shows it, masked alike)."""

    court = OrganizationRefSerializer(allow_null=True)
    referred_by = OrganizationRefSerializer(allow_null=True)
    timeline = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    applicant_phone = serializers.SerializerMethodField()
    credit_code = serializers.SerializerMethodField()
    contact_masked = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    transfers = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "state_reason",
            "applicant_phone",
            "credit_code",
            "contact_masked",
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
            "answer",
            "transfers",
        ]

    def _contact(self, case: Case) -> Any:
        """Worked out once per case and response (three fields read it)."""
        cached = getattr(self, "_contact_cache", None)
        if cached is None or cached[0] != case.pk:
            cached = (case.pk, contact_details(case=case, user=self.context["user"]))
            self._contact_cache = cached
        return cached[1]

    def get_applicant_phone(self, case: Case) -> str:
        return str(self._contact(case).phone)

    def get_credit_code(self, case: Case) -> str:
        return str(self._contact(case).credit_code)

    def get_contact_masked(self, case: Case) -> bool:
        return bool(self._contact(case).masked)

    @extend_schema_field(RespondentAnswerSerializer(allow_null=True))
    def get_answer(self, case: Case) -> Any:
        answer = answer_of(case=case)
        return None if answer is None else RespondentAnswerSerializer(answer).data

    @extend_schema_field(CaseTransferSerializer(many=True))
    def get_transfers(self, case: Case) -> Any:
        return CaseTransferSerializer(transfers_of(case=case), many=True).data

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


def one_of(field: serializers.CharField, choices: type[TextChoices]) -> serializers.CharField:
    """``field`` documented in the schema as one of ``choices`` (and blank where it allows
    blank). The schema only: the services check the value and answer their own codes
    (``invalid_decision``, ``invalid_complexity``, ``out_of_scope``…), which a ``ChoiceField``
    would turn into a generic ``invalid``. (A serializer deep-copies its fields from their
    arguments, so the schema goes on a class of its own.)"""
    values: list[str] = [str(value) for value in choices.values]
    if field.allow_blank:
        values.append("")
    schema: dict[str, Any] = {"type": "string", "enum": values}
    if field.help_text:
        schema["description"] = str(field.help_text)
    documented = extend_schema_field(schema)(
        type(f"{choices.__name__}Field", (serializers.CharField,), {})
    )
    made: serializers.CharField = documented(*field._args, **field._kwargs)  # type: ignore[attr-defined]
    return made


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
    applicant_type = one_of(
        serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="natural_person | legal_person | unincorporated",
        ),
        ApplicantType,
    )
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    applicant_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    applicant_id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=150)
    business_type = one_of(
        serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="One of the business types; see docs/api.md.",
        ),
        BusinessType,
    )
    dispute_nature = one_of(
        serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="civil_commercial (others are refused as out of scope)",
        ),
        DisputeNature,
    )
    amount = _amount_field()
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    claims = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    product = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The financial product's name, as the contract names it (optional).",
    )

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
                "product": base.product,
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
                "product": "",
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
    topic = one_of(
        serializers.CharField(help_text="consultation | mediation | notarization | arbitration"),
        ConsultationTopic,
    )
    organization = serializers.CharField(help_text="Mediation organization code.")
    respondent = serializers.CharField(help_text="Financial institution code.")
    business_type = one_of(serializers.CharField(), BusinessType)
    applicant_type = one_of(
        serializers.CharField(required=False, default="natural_person"), ApplicantType
    )
    amount = _amount_field()
    description = serializers.CharField(max_length=5000)
    contact_name = serializers.CharField(max_length=150)
    contact_phone = serializers.CharField(max_length=20)


class TransitionInputSerializer(serializers.Serializer[Any]):
    to = one_of(serializers.CharField(help_text="The target state, e.g. accepted."), CaseState)
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
    complexity = one_of(
        serializers.CharField(
            required=False,
            default="normal",
            help_text="simple, normal or complex; set when moving to 'accepted' "
            "(`invalid_complexity` otherwise).",
        ),
        CaseComplexity,
    )


class ComplexityInputSerializer(serializers.Serializer[Any]):
    complexity = one_of(
        serializers.CharField(help_text="simple, normal or complex."), CaseComplexity
    )
    reason = serializers.CharField(max_length=5000, allow_blank=True)


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


class RespondentAnswerInputSerializer(serializers.Serializer[Any]):
    decision = one_of(serializers.CharField(help_text="agree | decline"), AnswerDecision)
    reasons = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10000,
        help_text="Required to decline.",
    )
    position = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    evidence = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Uuids of the case's files the institution's staff uploaded.",
    )


class TransferRequestInputSerializer(serializers.Serializer[Any]):
    to_organization = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Code of another mediation organization, or of the assigning regulator.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class TransferAcceptInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    next_organization = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A return to the regulator: code of the mediation organization next.",
    )


class TransferDeclineInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
