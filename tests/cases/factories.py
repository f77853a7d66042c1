"""Factories for case tests: the other organization kinds, valid codes, applications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accord.cases.models import ApplicantType, BusinessType, DisputeNature
from accord.cases.scope import CaseApplication
from accord.orgs.models import Organization, OrgKind
from tests.factories import ApplicantFactory, OrganizationFactory

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(body: str = "91110000MA01234567") -> str:
    """A unified social credit code with a correct check character (GB 32100-2015),
    computed here independently of the code under test."""
    first17 = body[:17]
    total = sum(_ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _ALPHABET[(31 - total % 31) % 31]


class CaseApplicantFactory(ApplicantFactory):
    # "!" marks an unusable password; the shared factory's ``None`` hits NOT NULL.
    password = "!unusable"


class PeoplesMediationFactory(OrganizationFactory):
    kind = OrgKind.PEOPLES_MEDIATION
    code = "PMC"
    name = "金融纠纷人民调解委员会"


class RegulatorFactory(OrganizationFactory):
    kind = OrgKind.REGULATOR
    code = "REG"
    name = "金融监管分局"


class CourtFactory(OrganizationFactory):
    kind = OrgKind.COURT
    code = "CRT"
    name = "中级人民法院"


def make_application(
    *, organization: Organization | None, respondent: Organization | None, **overrides: Any
) -> CaseApplication:
    values: dict[str, Any] = {
        "organization": organization,
        "respondent": respondent,
        "applicant_type": ApplicantType.NATURAL_PERSON,
        "applicant_name": "张三",
        "applicant_phone": "13900000001",
        "business_type": BusinessType.WEALTH_MANAGEMENT,
        "dispute_nature": DisputeNature.CIVIL_COMMERCIAL,
        "amount": Decimal("12000.50"),
        "description": "理财产品风险等级与宣传不符，要求赔偿损失。",
        "claims": "赔偿本金损失",
    }
    values.update(overrides)
    return CaseApplication(**values)


def api_application(*, organization: str, respondent: str, **overrides: Any) -> dict[str, Any]:
    """The JSON body of ``POST /api/cases/``."""
    body: dict[str, Any] = {
        "organization": organization,
        "respondent": respondent,
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_phone": "13900000001",
        "business_type": "wealth_management",
        "dispute_nature": "civil_commercial",
        "amount": "12000.50",
        "description": "理财产品风险等级与宣传不符，要求赔偿损失。",
        "claims": "赔偿本金损失",
    }
    body.update(overrides)
    return body
