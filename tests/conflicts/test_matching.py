"""The matching rules of ``conflicts_for``: the respondent institution, periods (ended less
than two years ago still counts), persons by identifier first, by name as "possible"."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.cases import services as case_services
from accord.conflicts.matching import conflicts_for
from accord.conflicts.models import RelationshipKind
from accord.conflicts.services import relationship_withdraw
from tests.cases.factories import make_application
from tests.conflicts.conftest import ALICE_ID, declare, employed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)


def test_current_employment_by_the_respondent_conflicts_with_a_sentence(case, mia, org, bank):
    employed(mia, org, bank)
    [conflict] = conflicts_for(case, mia, today=TODAY)
    assert conflict.sentence == "Employed by 示例银行 from 2019-01-01 to present"
    assert not conflict.possible


def test_employment_by_another_institution_does_not(case, mia, org, other_bank):
    employed(mia, org, other_bank)
    assert conflicts_for(case, mia, today=TODAY) == []


def test_employment_ended_less_than_two_years_ago_still_conflicts(case, mia, org, bank):
    employed(mia, org, bank, ended_on=dt.date(2023, 6, 2))
    [conflict] = conflicts_for(case, mia, today=TODAY)
    assert conflict.sentence == "Employed by 示例银行 from 2019-01-01 to 2023-06-02"


def test_employment_ended_two_years_ago_or_more_does_not(case, mia, org, bank):
    employed(mia, org, bank, ended_on=dt.date(2023, 6, 1))
    assert conflicts_for(case, mia, today=TODAY) == []


def test_shareholding_and_prior_involvement_with_the_respondent_conflict(case, mia, org, bank):
    declare(mia, org, RelationshipKind.SHAREHOLDING, institution=bank, started_on=TODAY)
    declare(mia, org, RelationshipKind.PRIOR_INVOLVEMENT, institution=bank)
    sentences = [c.sentence for c in conflicts_for(case, mia, today=TODAY)]
    assert sentences == [
        "Shareholder of 示例银行 from 2025-06-01 to present",
        "Prior involvement with the respondent 示例银行",
    ]


def test_kinship_by_name_only_is_a_possible_conflict(case, mia, org):
    declare(mia, org, RelationshipKind.KINSHIP, person_name=" 张 三 ")
    [conflict] = conflicts_for(case, mia, today=TODAY)
    assert conflict.possible
    assert conflict.sentence == ("Kinship with the applicant 张三 (possible: matched by name only)")


def test_identifiers_decide_when_both_sides_have_one(alice, mia, org, bank):
    case = case_services.case_apply(
        applicant=alice,
        application=make_application(
            organization=org, respondent=bank, applicant_id_number=ALICE_ID
        ),
    )
    namesake = declare(
        mia,
        org,
        RelationshipKind.KINSHIP,
        person_name="张三",
        person_id_number="11010119900307999X",
    )
    assert conflicts_for(case, mia, today=TODAY) == []
    relationship_withdraw(relationship=namesake, by=mia)
    declare(
        mia,
        org,
        RelationshipKind.PRIOR_INVOLVEMENT,
        person_name="张小三",
        person_id_number=ALICE_ID,
    )
    [conflict] = conflicts_for(case, mia, today=TODAY)
    assert not conflict.possible
    assert conflict.sentence == "Prior involvement with the applicant 张三"


def test_withdrawn_relationships_and_other_mediators_do_not_count(case, mia, max_, org, bank):
    relationship = employed(mia, org, bank)
    assert conflicts_for(case, max_, today=TODAY) == []
    relationship_withdraw(relationship=relationship, by=mia)
    assert conflicts_for(case, mia, today=TODAY) == []
