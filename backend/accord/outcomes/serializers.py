"""JSON of the outcomes (docs/api.md): agreements in effect with their obligations, judicial
confirmation and notarization; the failure notice and referral. People's particulars are not
in it (the package holds them for the court)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accord.outcomes.models import (
    ConfirmationApplication,
    MediationFailure,
    NotarizationRequest,
    Obligation,
    SealedAgreement,
)
from accord.outcomes.services.notarization import missing_consents
from accord.outcomes.services.performance import consequences_text, sealed_sha256


class ObligationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    obligor = serializers.CharField(help_text="applicant or respondent")
    obligee = serializers.CharField(help_text="applicant or respondent")
    what = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text="yuan, two decimals")
    due = serializers.DateField()
    status = serializers.CharField(help_text="pending or performed")
    immediate = serializers.BooleanField()
    overdue = serializers.BooleanField(help_text="pending and past its due date")
    overdue_flagged_at = serializers.DateTimeField(allow_null=True)
    performed_at = serializers.DateTimeField(allow_null=True)


class ConfirmationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    court = serializers.CharField(help_text="the court's organization code")
    status = serializers.CharField(help_text="awaiting_consent, filed, confirmed or rejected")
    statement = serializers.UUIDField(help_text="the application's document version")
    statement_sha256 = serializers.CharField()
    applicant_consented = serializers.BooleanField()
    respondent_consented = serializers.BooleanField()
    filed_at = serializers.DateTimeField(allow_null=True)
    package_sha256 = serializers.CharField()
    ruling_no = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class NotarizationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    notary_office = serializers.CharField(help_text="the office's organization code")
    status = serializers.CharField(help_text="awaiting_consent, referred, notarized or refused")
    creditor = serializers.CharField()
    guarantor_name = serializers.CharField()
    missing_consents = serializers.ListField(
        child=serializers.CharField(), help_text="applicant, respondent, guarantor"
    )
    referral = serializers.UUIDField(allow_null=True)
    certificate_no = serializers.CharField()
    reason = serializers.CharField()


class AgreementSerializer(serializers.Serializer[Any]):
    version = serializers.UUIDField(help_text="the sealed agreement's document version")
    sha256 = serializers.CharField(help_text="of the sealed PDF")
    effective_on = serializers.DateField()
    confirmation_due = serializers.DateField(
        help_text="last day to apply for judicial confirmation"
    )
    immediate_performance = serializers.BooleanField()
    consequences = serializers.CharField(help_text="what not performing leads to")
    obligations = ObligationSerializer(many=True)
    confirmation = ConfirmationSerializer(allow_null=True)
    notarization = NotarizationSerializer(allow_null=True)


class FailureSerializer(serializers.Serializer[Any]):
    notice = serializers.UUIDField(help_text="the failure notice's document version")
    notice_sha256 = serializers.CharField()
    advice = serializers.CharField()
    routes = serializers.ListField(child=serializers.CharField())
    issued_at = serializers.DateTimeField()
    route = serializers.CharField(help_text="'' until referred; arbitration or litigation")
    referred_to = serializers.CharField(allow_null=True)
    green_channel = serializers.BooleanField()
    referred_at = serializers.DateTimeField(allow_null=True)


class OutcomesSerializer(serializers.Serializer[Any]):
    agreements = AgreementSerializer(many=True)
    failure = FailureSerializer(allow_null=True)


def obligation_data(o: Obligation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "position": o.position,
        "obligor": o.obligor,
        "obligee": o.obligee,
        "what": o.what,
        "amount": None if o.amount is None else f"{o.amount:.2f}",
        "due": o.due_on,
        "status": o.status,
        "immediate": o.immediate,
        "overdue": o.is_overdue,
        "overdue_flagged_at": o.overdue_flagged_at,
        "performed_at": o.performed_at,
    }


def confirmation_data(c: ConfirmationApplication) -> dict[str, Any]:
    return {
        "id": c.uuid,
        "court": c.court.code,
        "status": c.status,
        "statement": c.statement.uuid,
        "statement_sha256": c.statement.sha256,
        "applicant_consented": c.applicant_consent_at is not None,
        "respondent_consented": c.institution_consent_at is not None,
        "filed_at": c.filed_at,
        "package_sha256": c.package_sha256,
        "ruling_no": c.ruling_no,
        "decided_on": c.decided_on,
        "reason": c.decision_reason,
    }


def notarization_data(n: NotarizationRequest) -> dict[str, Any]:
    return {
        "id": n.uuid,
        "notary_office": n.notary_office.code,
        "status": n.status,
        "creditor": n.creditor,
        "guarantor_name": n.guarantor_name,
        "missing_consents": missing_consents(n),
        "referral": n.referral.uuid if n.referral is not None else None,
        "certificate_no": n.certificate_no,
        "reason": n.decision_reason,
    }


def agreement_data(a: SealedAgreement) -> dict[str, Any]:
    confirmation = getattr(a, "confirmation", None)
    notarization = getattr(a, "notarization", None)
    return {
        "version": a.version.uuid,
        "sha256": sealed_sha256(a.version),
        "effective_on": a.effective_on,
        "confirmation_due": a.confirmation_due_on,
        "immediate_performance": a.immediate_performance,
        "consequences": consequences_text(a),
        "obligations": [obligation_data(o) for o in a.obligations.all()],
        "confirmation": confirmation_data(confirmation) if confirmation else None,
        "notarization": notarization_data(notarization) if notarization else None,
    }


def failure_data(f: MediationFailure) -> dict[str, Any]:
    return {
        "notice": f.notice.uuid,
        "notice_sha256": f.notice.sha256,
        "advice": f.advice,
        "routes": list(f.routes),
        "issued_at": f.issued_at,
        "route": f.route,
        "referred_to": f.referred_to.code if f.referred_to is not None else None,
        "green_channel": f.green_channel,
        "referred_at": f.referred_at,
    }


def outcomes_data(agreements: list[SealedAgreement], failure: MediationFailure | None) -> Any:
    return OutcomesSerializer(
        {
            "agreements": [agreement_data(a) for a in agreements],
            "failure": failure_data(failure) if failure is not None else None,
        }
    ).data


class ConfirmInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmationApplyInputSerializer(serializers.Serializer[Any]):
    agreement = serializers.UUIDField(help_text="the sealed agreement's document version")
    court = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="court code (not entrusted)"
    )


class NotarizationRequestInputSerializer(serializers.Serializer[Any]):
    agreement = serializers.UUIDField()
    notary_office = serializers.CharField(help_text="the notary office's code")
    creditor = serializers.CharField(help_text="applicant or respondent")
    guarantor_name = serializers.CharField(required=False, allow_blank=True, default="")


class GuarantorConsentInputSerializer(serializers.Serializer[Any]):
    material = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="a case material's uuid"
    )


class FailureNoticeInputSerializer(serializers.Serializer[Any]):
    advice = serializers.CharField(allow_blank=True)
    routes = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class FailureReferralInputSerializer(serializers.Serializer[Any]):
    route = serializers.CharField()
    to = serializers.CharField(help_text="the arbitration commission's or court's code")
    green_channel = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmationOutcomeInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(help_text="confirmed or rejected")
    ruling_no = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)


class NotarizationOutcomeInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(help_text="notarized or refused")
    certificate_no = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CourtConfirmationSerializer(ConfirmationSerializer):
    case_no = serializers.CharField()
    package_size = serializers.IntegerField(allow_null=True)


class NotaryReferralSerializer(NotarizationSerializer):
    case_no = serializers.CharField()
    agreement = serializers.UUIDField()
    agreement_sha256 = serializers.CharField()
