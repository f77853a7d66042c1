"""Trace payloads written by the case services (canonical JSON: no floats;
money and dates as strings)."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class ConsultationRef(TypedDict):
    id: int
    chain: str
    # The consultation chain's head when the case was opened: the case's first
    # event is bound to exactly that history of the consultation.
    head_hash: str


class RegulatorRef(TypedDict):
    code: str
    reference: str


class CourtRef(TypedDict):
    code: str
    court_case_no: str
    entrusted_on: str
    materials_signed_on: str | None


class CaseSubmitted(TypedDict):
    case_no: str
    state: str
    channel: str
    organization: str
    respondent: str
    applicant_type: str
    business_type: str
    dispute_nature: str
    amount: str | None
    # hmac-sha256 of the application's canonical JSON under the case's erasable key.
    application: str
    consultation: NotRequired[ConsultationRef]
    regulator: NotRequired[RegulatorRef]
    court: NotRequired[CourtRef]


class UserRef(TypedDict):
    user_id: int


# "from" is a keyword, hence the functional form.
CaseTransitioned = TypedDict(
    "CaseTransitioned",
    {
        "from": str,
        "to": str,
        "reason": str,
        "mediator": NotRequired[UserRef],
        "complexity": NotRequired[str],
    },
)


class MaterialsSigned(TypedDict):
    materials_signed_on: str


class EvidenceUploaded(TypedDict):
    evidence: str
    # hmac-sha256 of the file name (it may name a person) under the case's erasable key.
    name: str
    content_type: str
    size: int
    sha256: str
    bucket: str
    key: str


class EvidenceAccessed(TypedDict):
    evidence: str
    key: str


class ConsultationCreated(TypedDict):
    id: int
    topic: str
    organization: str
    respondent: str
    business_type: str
    content: str  # hmac-sha256 under the asker's erasable key


class ConsultationAnswered(TypedDict):
    answer_sha256: str


class ConsultationConverted(TypedDict):
    case_no: str
    case_chain: str
