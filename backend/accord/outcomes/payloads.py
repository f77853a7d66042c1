"""Trace payloads of the outcome services (canonical JSON: amounts and dates as strings, no
floats; people by account id, organizations by id, texts by SHA-256, a guarantor's name
sealed under the case's erasable key)."""

from __future__ import annotations

from typing import TypedDict


class ObligationTerms(TypedDict):
    obligation_id: int
    position: int
    obligor: str
    obligee: str
    what_sha256: str
    amount: str | None
    due: str


class PerformanceOpened(TypedDict):
    agreement: str  # the agreement's DocumentVersion uuid
    sha256: str  # of the sealed PDF
    effective_on: str
    confirmation_due: str
    immediate: bool
    obligations: list[ObligationTerms]


class ConsequencesNotified(TypedDict):
    agreement: str
    text_sha256: str
    recipients: list[int]


class ObligationPerformed(TypedDict):
    obligation_id: int
    immediate: bool
    late: bool
    note_sha256: str


class ObligationReminded(TypedDict):
    obligation_id: int
    days_before: int
    due: str
    recipients: list[int]


class ObligationOverdue(TypedDict):
    obligation_id: int
    due: str
    mediator_recipients: list[int]
    obligor_recipients: list[int]


class VersionRef(TypedDict):
    role: str  # agreement, record, statement, referral, notice
    version: str
    sha256: str


class ConfirmationRequested(TypedDict):
    application: str
    agreement: str
    court: int
    side: str
    statement: VersionRef
    due: str


class PartyConsented(TypedDict):
    subject: str  # the application's or request's uuid
    side: str  # applicant, respondent, guarantor


class ConfirmationFiled(TypedDict):
    application: str
    court: int
    package_sha256: str
    package_size: int
    key: str
    documents: list[VersionRef]
    # The parties' particulars go to the court inside the package only.
    identities_sha256: str
    applicant: int | None  # the applicant's account
    respondent: int  # the institution (organization id)


class ConfirmationDecided(TypedDict):
    application: str
    court: int
    ruling_no: str
    decided_on: str
    reason_sha256: str


class PackageAccessed(TypedDict):
    application: str
    package_sha256: str


class NotarizationRequested(TypedDict):
    request: str
    agreement: str
    notary_office: int
    creditor: str
    side: str
    guarantor: str | None  # sealed name


class GuarantorConsented(TypedDict):
    subject: str
    side: str  # guarantor
    material: str | None


class NotarizationReferred(TypedDict):
    request: str
    notary_office: int
    referral: VersionRef


class NotarizationDecided(TypedDict):
    request: str
    notary_office: int
    certificate_no: str
    reason_sha256: str


class ReferralAccessed(TypedDict):
    request: str
    document: VersionRef


class FailureNoticeIssued(TypedDict):
    notice: VersionRef
    advice_sha256: str
    routes: list[str]


class FailureReferred(TypedDict):
    route: str
    referred_to: int
    green_channel: bool
    note_sha256: str


class NoticeAccessed(TypedDict):
    notice: VersionRef
