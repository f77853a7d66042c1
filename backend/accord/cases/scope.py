"""What an application for mediation says, and whether the platform may take it (R9).

:func:`check_application` collects every problem at once, by field, so a form
can show them all next to their fields and an API client can fix them in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accord.accounts.models import phone_validator
from accord.cases.errors import OutOfScope
from accord.cases.models import (
    FINANCIAL_BUSINESS_TYPES,
    ApplicantType,
    BusinessType,
    DisputeNature,
)
from accord.core.api import ServiceError
from accord.orgs.models import Organization, OrgKind

# GB 32100-2015: 18 characters from this alphabet, the last a check character.
_CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
AMOUNT_MAX_DIGITS = 16
AMOUNT_DECIMAL_PLACES = 2


def credit_code_is_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code (统一社会信用代码)."""
    if len(code) != 18 or any(ch not in _CREDIT_CODE_ALPHABET for ch in code):
        return False
    total = sum(
        _CREDIT_CODE_ALPHABET.index(ch) * weight
        for ch, weight in zip(code[:17], _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_ALPHABET[(31 - total % 31) % 31] == code[17]


@dataclass(frozen=True, kw_only=True)
class CaseApplication:
    """Everything an application says, whichever channel brings it.

    Organizations are ``None`` when the caller could not resolve what the user
    named (an unknown code): the check then reports it on that field.
    """

    organization: Organization | None
    respondent: Organization | None
    applicant_type: str
    applicant_name: str
    applicant_phone: str
    business_type: str
    description: str
    dispute_nature: str = DisputeNature.CIVIL_COMMERCIAL
    amount: Decimal | None = None
    applicant_id_number: str = ""
    credit_code: str = ""
    representative: str = ""
    claims: str = ""
    product: str = ""

    def as_json(self) -> dict[str, Any]:
        """The application as submitted. The trace commits to it by a keyed hash (see
        ``accord.audit.personal``): it holds the applicant's personal data."""
        return {
            "organization": self.organization.code if self.organization else None,
            "respondent": self.respondent.code if self.respondent else None,
            "applicant_type": self.applicant_type,
            "applicant_name": self.applicant_name,
            "applicant_phone": self.applicant_phone,
            "applicant_id_number": self.applicant_id_number,
            "credit_code": self.credit_code,
            "representative": self.representative,
            "business_type": self.business_type,
            "dispute_nature": self.dispute_nature,
            "amount": None if self.amount is None else str(self.amount),
            "description": self.description,
            "claims": self.claims,
            "product": self.product,
        }


@dataclass
class Problems:
    """Field errors collected by the checks, kept apart by kind so that one
    scope failure makes the whole refusal ``out_of_scope``."""

    out_of_scope: dict[str, list[str]] = field(default_factory=dict)
    invalid: dict[str, list[str]] = field(default_factory=dict)

    def scope(self, name: str, message: str) -> None:
        self.out_of_scope.setdefault(name, []).append(message)

    def bad(self, name: str, message: str) -> None:
        self.invalid.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        fields: dict[str, list[str]] = {}
        for source in (self.out_of_scope, self.invalid):
            for name, messages in source.items():
                fields.setdefault(name, []).extend(messages)
        if self.out_of_scope:
            raise OutOfScope(
                _("The dispute is outside what the platform can take; see the fields."),
                fields=fields,
            )
        if self.invalid:
            raise ServiceError(_("The application has invalid fields."), fields=fields)


def check_mediation_org(organization: Organization | None, problems: Problems) -> None:
    if organization is None:
        problems.scope("organization", _("Choose a mediation organization."))
    elif not organization.is_mediation_org:
        problems.scope(
            "organization",
            _("%(name)s is not a mediation organization.") % {"name": organization.name},
        )
    elif not organization.is_active:
        problems.scope(
            "organization",
            _("%(name)s is not taking cases at present.") % {"name": organization.name},
        )


def check_respondent(respondent: Organization | None, problems: Problems) -> None:
    if respondent is None:
        problems.scope("respondent", _("Choose the financial institution the dispute is with."))
    elif respondent.kind != OrgKind.FINANCIAL_INSTITUTION:
        problems.scope(
            "respondent",
            _(
                "%(name)s is not a financial institution; the platform takes disputes with "
                "financial institutions only."
            )
            % {"name": respondent.name},
        )
    elif not respondent.is_active:
        problems.scope(
            "respondent",
            _("%(name)s is not an active financial institution.") % {"name": respondent.name},
        )


def check_business_type(business_type: str, problems: Problems) -> None:
    if business_type == BusinessType.NOT_FINANCIAL:
        problems.scope(
            "business_type",
            _("Only disputes arising from financial business can be mediated here."),
        )
    elif business_type not in FINANCIAL_BUSINESS_TYPES:
        problems.scope("business_type", _("Choose a business type from the list."))


def check_amount(amount: Decimal | None, problems: Problems) -> None:
    if amount is None:
        return
    if not amount.is_finite():
        problems.bad("amount", _("Enter the amount as a number."))
        return
    if amount < 0:
        problems.bad("amount", _("The amount cannot be negative."))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AMOUNT_DECIMAL_PLACES:
        problems.bad("amount", _("Give the amount in yuan with at most two decimal places."))
    elif amount.adjusted() >= AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES:
        problems.bad("amount", _("The amount is too large."))


def check_phone(name: str, phone: str, problems: Problems) -> None:
    if not phone.strip():
        problems.bad(name, _("A contact phone number is needed."))
        return
    try:
        phone_validator(phone)
    except ValidationError as exc:
        for message in exc.messages:
            problems.bad(name, message)


def _check_applicant(application: CaseApplication, problems: Problems) -> None:
    kind = application.applicant_type
    if kind not in ApplicantType.values:
        problems.scope(
            "applicant_type",
            _(
                "The applicant must be a natural person, a legal person or an unincorporated "
                "organization."
            ),
        )
    if not application.applicant_name.strip():
        problems.bad("applicant_name", _("The applicant's name is needed."))
    check_phone("applicant_phone", application.applicant_phone, problems)
    if application.applicant_id_number and not _ID_NUMBER_RE.match(application.applicant_id_number):
        problems.bad("applicant_id_number", _("An ID card number has 18 characters."))
    if kind == ApplicantType.LEGAL_PERSON and not application.credit_code:
        problems.bad("credit_code", _("A legal person's unified social credit code is needed."))
    if application.credit_code and not credit_code_is_valid(application.credit_code):
        problems.bad(
            "credit_code",
            _("This is not a valid unified social credit code (18 characters, check digit)."),
        )
    if kind in (ApplicantType.LEGAL_PERSON, ApplicantType.UNINCORPORATED) and not (
        application.representative.strip()
    ):
        problems.bad("representative", _("Name the legal representative or the person in charge."))


def check_application(application: CaseApplication) -> None:
    """Raise :class:`OutOfScope` (code ``out_of_scope``) when any scope rule fails,
    else ``ServiceError`` (code ``invalid``) when a field is malformed; both carry
    every problem by field. Reads only; writes nothing."""
    problems = Problems()
    check_mediation_org(application.organization, problems)
    check_respondent(application.respondent, problems)
    check_business_type(application.business_type, problems)
    if application.dispute_nature != DisputeNature.CIVIL_COMMERCIAL:
        problems.scope(
            "dispute_nature",
            _(
                "Only civil and commercial disputes can be mediated; administrative and "
                "criminal matters go to the authorities concerned."
            ),
        )
    _check_applicant(application, problems)
    check_amount(application.amount, problems)
    if not application.description.strip():
        problems.bad("description", _("Describe the dispute."))
    problems.raise_if_any()
