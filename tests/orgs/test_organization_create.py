"""Creating an organization: its chain, default rules for mediation kinds, one event."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import MediationRules, Organization, OrgKind
from accord.orgs.services import organization_create
from tests.accounts.conftest import nothing_written
from tests.orgs.conftest import org_actions

SYSTEM = Actor.system("tests")


def test_a_mediation_organization_gets_its_chain_rules_and_one_event(db):
    with nothing_written(events=1):
        created = organization_create(
            kind=OrgKind.PEOPLES_MEDIATION, code="PMC1", name="某人民调解委员会", actor=SYSTEM
        )
    assert created.chain is not None
    assert created.chain.key == "org:PMC1"
    assert MediationRules.objects.filter(organization=created).exists()
    assert org_actions(created) == ["org.created"]


def test_an_institution_gets_no_rules(db):
    bank = organization_create(
        kind=OrgKind.FINANCIAL_INSTITUTION, code="ICBX", name="某银行", sector="bank", actor=SYSTEM
    )
    assert not MediationRules.objects.filter(organization=bank).exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"code": "bad code"}, "code_invalid"),
        ({"kind": "club"}, "kind_invalid"),
        ({"name": "  "}, "name_required"),
        ({"sector": "bank"}, "sector_invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(db, fields, code):
    arguments = {"kind": OrgKind.FINANCIAL_MEDIATION, "code": "MEDX", "name": "调解中心", **fields}
    with nothing_written(), pytest.raises(ServiceError) as caught:
        organization_create(actor=SYSTEM, **arguments)
    assert caught.value.code == code
    assert not Organization.objects.exists()


def test_a_taken_code_is_refused(org):
    with pytest.raises(ServiceError) as caught:
        organization_create(kind=OrgKind.COURT, code=org.code, name="法院", actor=SYSTEM)
    assert caught.value.code == "code_taken"
