"""The documents the outcomes draft through ``accord.documents`` (each a stored, hashed,
traced version): the parties' application for judicial confirmation, the referral to a notary
office, the failure notice. The fields come from the case and what the person entered; the
documents app renders them and freezes the case's data into the version.

Each call renders and stores a PDF: never inside a transaction that holds a row lock.
"""

from __future__ import annotations

from accord.accounts.models import User
from accord.cases.models import Case
from accord.documents.models import Document, DocumentVersion
from accord.documents.services import document_draft, version_pdf
from accord.orgs.models import Organization
from accord.outcomes.models import SealedAgreement, Side

CONFIRMATION_KIND = "confirmation_application"
REFERRAL_KIND = "notarization_referral"
FAILURE_KIND = "failure_notice"
RECORD_KIND = "record"


def draft_confirmation_statement(
    *, agreement: SealedAgreement, court: Organization, by: User
) -> DocumentVersion:
    """The application for judicial confirmation with the statement of both parties."""
    return document_draft(
        case=agreement.case,
        kind=CONFIRMATION_KIND,
        fields={
            "court": court.name,
            "agreement": str(agreement.version.uuid),
            "agreement_sha256": agreement.version.sha256,
            "effective_on": agreement.effective_on.isoformat(),
        },
        by=by,
    )


def draft_notarization_referral(
    *,
    agreement: SealedAgreement,
    notary_office: Organization,
    creditor: Side,
    guarantor_name: str,
    by: User,
) -> DocumentVersion:
    return document_draft(
        case=agreement.case,
        kind=REFERRAL_KIND,
        fields={
            "notary_office": notary_office.name,
            "agreement": str(agreement.version.uuid),
            "creditor": str(creditor),
            "guarantor": guarantor_name,
        },
        by=by,
    )


def draft_failure_notice(
    *, case: Case, advice: str, routes: list[str], by: User
) -> DocumentVersion:
    return document_draft(
        case=case, kind=FAILURE_KIND, fields={"advice": advice, "routes": routes}, by=by
    )


def pdf_bytes(version: DocumentVersion) -> bytes:
    """The PDF of ``version`` as it stands (the sealed one once sealed)."""
    return version_pdf(version)


def current_record(case: Case) -> DocumentVersion | None:
    """The latest version of the case's mediation record (调解笔录), when there is one."""
    document = Document.objects.filter(case=case, kind=RECORD_KIND).order_by("-created_at").first()
    return None if document is None else document.current
