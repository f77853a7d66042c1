"""The court simulator (infra/court_sim) as the court in tests of Accord's side: a court with a
key and a docking whose callback URL is the simulator's, a mediation organization with an
administrator and a mediator, a bank, and a signed push through the court API.

Import the fixtures into a test module (``from tests.courts.sim_support import sim, world``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accord.accounts.models import User
from accord.courts.models import CourtDocking, CourtKey, Entrustment
from accord.orgs.models import Organization, OrgKind, Role
from infra.court_sim.server import CourtSimulator
from infra.court_sim.signing import sign_headers
from tests.cases.conftest import as_org, member
from tests.factories import (
    InstitutionFactory,
    MediationOrgFactory,
    OrganizationFactory,
    UserFactory,
)

PATH = "/api/court/v1/entrustments"
CALLBACK_KEY_ID = "cb_sim"
CALLBACK_SECRET = "callback-secret-of-the-simulated-court"


@dataclass
class World:
    sim: CourtSimulator
    court: Organization
    key: CourtKey
    docking: CourtDocking
    org: Organization
    bank: Organization
    admin: User
    mediator: User


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[CourtSimulator]:
    with CourtSimulator(
        callback_key_id=CALLBACK_KEY_ID,
        callback_secret=CALLBACK_SECRET,
        materials_dir=tmp_path / "court-materials",
    ) as running:
        yield running


@pytest.fixture
def world(db: None, sim: CourtSimulator) -> World:
    court = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRTSIM", name="模拟人民法院"))
    key = CourtKey.objects.create(court=court, key_id="ck_sim", secret="court-key-secret")
    org = as_org(MediationOrgFactory(code="MSIM", name="模拟调解中心"))
    bank = as_org(InstitutionFactory(code="BSIM", name="模拟银行"))
    # No material hosts listed: materials may come from the callback URL's host:port only.
    docking = CourtDocking.objects.create(
        court=court,
        default_organization=org,
        callback_url=sim.callback_url,
        callback_key_id=CALLBACK_KEY_ID,
        callback_secret=CALLBACK_SECRET,
    )
    admin = member(UserFactory(username="sim-admin"), Role.ORG_ADMIN, org)
    mediator = member(UserFactory(username="sim-mediator"), Role.MEDIATOR, org)
    return World(sim, court, key, docking, org, bank, admin, mediator)


def entrustment_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "court_case_no": "(2026)京0105民初54321号",
        "kind": "entrusted",
        "applicant": {
            "name": "张三",
            "kind": "natural_person",
            "phone": "13800138000",
            "id_number": "11010519491231002X",
        },
        "respondent": {"name": "模拟银行", "org_code": "BSIM"},
        "claims": "请求被申请人退还多收取的信用卡分期手续费。",
        "amount": "12000.00",
        "materials": [],
        "business_type": "bank_card",
    }
    body.update(overrides)
    return body


def push(world: World, body: dict[str, Any]) -> Any:
    """POST the body to the court API, signed by the simulator's signing under the court key."""
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = sign_headers(
        key_id=world.key.key_id, secret=world.key.secret, method="POST", path=PATH, body=raw
    )
    return Client().post(PATH, raw, content_type="application/json", headers=headers)


def pushed(world: World, **overrides: Any) -> Entrustment:
    response = push(world, entrustment_body(**overrides))
    assert response.status_code == 201, response.content
    return Entrustment.objects.get(uuid=response.json()["entrustment_id"])
