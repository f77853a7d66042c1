"""Eligibility: a case within an active memorandum's threshold and categories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.smallclaims.eligibility import eligibility_of
from accord.smallclaims.services.memoranda import memorandum_create, memorandum_update

from .conftest import memo_input, today

pytestmark = pytest.mark.django_db


def test_no_memorandum(case) -> None:
    assert eligibility_of(case).verdict == "no_memorandum"


def test_eligible_within_threshold_and_categories(case, memorandum) -> None:
    found = eligibility_of(case)
    assert found.eligible
    assert found.memorandum == memorandum


def test_above_threshold(case, memorandum, ada) -> None:
    memorandum_update(memorandum=memorandum, data=memo_input(threshold=Decimal("12000.00")), by=ada)
    assert eligibility_of(case).verdict == "above_threshold"


def test_outside_the_categories(case, memorandum, ada) -> None:
    memorandum_update(memorandum=memorandum, data=memo_input(business_types=["insurance"]), by=ada)
    assert eligibility_of(case).verdict == "outside_memorandum"


def test_a_memorandum_not_valid_on_the_case_date(case, org, bank, ada) -> None:
    memorandum_create(
        organization=org,
        institution=bank,
        data=memo_input(
            valid_from=today() - dt.timedelta(days=300),
            valid_to=today() - dt.timedelta(days=1),
            signed_on=today() - dt.timedelta(days=300),
        ),
        by=ada,
    )
    assert eligibility_of(case).verdict == "no_memorandum"


def test_another_institution_s_memorandum_does_not_cover(case, org, other_bank, ada) -> None:
    memorandum_create(organization=org, institution=other_bank, data=memo_input(), by=ada)
    assert eligibility_of(case).verdict == "no_memorandum"
