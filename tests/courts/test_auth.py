"""The court API's signature (docs/court-api.md): each refusal stores nothing; a signed push
is idempotent per court case number; another court's key cannot read the entrustment."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from accord.audit.models import TraceEvent
from accord.courts.models import CourtDocking, CourtKey, CourtNonce, Entrustment
from accord.orgs.models import OrgKind
from tests.cases.conftest import as_org
from tests.factories import InstitutionFactory, MediationOrgFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

PATH = "/api/court/v1/entrustments"


def _court(code: str) -> tuple[Any, CourtKey]:
    court = as_org(OrganizationFactory(kind=OrgKind.COURT, code=code))
    key = CourtKey.objects.create(court=court, key_id=f"ck_{code.lower()}", secret=f"s-{code}")
    return court, key


@pytest.fixture
def world() -> dict[str, Any]:
    court, key = _court("CRT1")
    _other, other_key = _court("CRT2")
    org = as_org(MediationOrgFactory(code="MCX"))
    bank = InstitutionFactory(code="BNKX")
    CourtDocking.objects.create(
        court=court, default_organization=org, callback_url="http://127.0.0.1:9/callbacks"
    )
    return {"court": court, "key": key, "other_key": other_key, "org": org, "bank": bank}


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "court_case_no": "(2026)京0105民初12345号",
        "kind": "entrusted",
        "applicant": {
            "name": "张三",
            "kind": "natural_person",
            "phone": "13800138000",
            "id_number": "11010519491231002X",
        },
        "respondent": {"name": "示例银行", "org_code": "BNKX"},
        "claims": "请求被申请人退还多收取的信用卡分期手续费。",
        "amount": "12000.00",
        "materials": [],
        "business_type": "bank_card",
    }
    body.update(overrides)
    return body


def _signed(
    key: CourtKey,
    method: str,
    path: str,
    body: bytes,
    *,
    secret: str | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    text = "\n".join((method, path, ts, nonce, hashlib.sha256(body).hexdigest()))
    sig = hmac.new((secret or key.secret).encode(), text.encode(), hashlib.sha256).hexdigest()
    return {
        "HTTP_X_ACCORD_KEY": key.key_id,
        "HTTP_X_ACCORD_TIMESTAMP": ts,
        "HTTP_X_ACCORD_NONCE": nonce,
        "HTTP_X_ACCORD_SIGNATURE": sig,
    }


def _push(client: Client, key: CourtKey, body: dict[str, Any], **sign: Any) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return client.post(
        PATH, raw, content_type="application/json", **_signed(key, "POST", PATH, raw, **sign)
    )


def test_a_signed_push_is_received_once_and_a_changed_body_conflicts(world: dict[str, Any]) -> None:
    client = Client()
    first = _push(client, world["key"], _body())
    assert first.status_code == 201, first.content
    entrustment_id = first.json()["entrustment_id"]
    assert first.json()["status"] == "pending"
    again = _push(client, world["key"], _body())
    assert again.status_code == 200
    assert again.json()["entrustment_id"] == entrustment_id
    changed = _push(client, world["key"], _body(amount="13000.00"))
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "conflict"
    entrustment = Entrustment.objects.get()
    assert entrustment.organization == world["org"]
    assert entrustment.applicant_phone == "13800138000"
    # The trace names the entrustment, never the applicant's phone or ID number.
    event = TraceEvent.objects.get(action="entrustment.received")
    text = json.dumps(event.payload, ensure_ascii=False)
    assert "13800138000" not in text and "11010519491231002X" not in text and "张三" not in text


def test_each_refusal_is_401_with_its_code_and_stores_nothing(world: dict[str, Any]) -> None:
    client = Client()
    key = world["key"]
    raw = json.dumps(_body(), ensure_ascii=False).encode()

    def post(headers: dict[str, Any], data: bytes = raw) -> Any:
        return client.post(PATH, data, content_type="application/json", **headers)

    unknown = CourtKey(court=world["court"], key_id="ck_nobody", secret="x")
    cases = {
        "key_unknown": post(_signed(unknown, "POST", PATH, raw)),
        "signature_invalid": post(_signed(key, "POST", PATH, raw, secret="wrong")),
        "timestamp_skew": post(_signed(key, "POST", PATH, raw, timestamp=int(time.time()) - 301)),
    }
    # A body changed after signing.
    tampered = raw.replace(b"12000.00", b"99000.00")
    cases["signature_invalid_body"] = post(_signed(key, "POST", PATH, raw), tampered)
    for name, response in cases.items():
        assert response.status_code == 401, (name, response.content)
        assert response.json()["error"]["code"] == name.removesuffix("_body")
    assert not Entrustment.objects.exists()
    assert not CourtNonce.objects.exists()
    # A replayed request: the same nonce twice.
    headers = _signed(key, "POST", PATH, raw, nonce="replayed-nonce-0123456789")
    assert post(headers).status_code == 201
    replay = post(headers)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "nonce_reused"
    assert Entrustment.objects.count() == 1


def test_a_malformed_body_is_400_validation_failed_by_field(world: dict[str, Any]) -> None:
    response = _push(Client(), world["key"], _body(kind="other", applicant={"name": "张三"}))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "kind" in error["fields"] and "applicant" in error["fields"]
    unknown_bank = _push(
        Client(), world["key"], _body(respondent={"name": "x", "org_code": "NOPE"})
    )
    assert unknown_bank.status_code == 400
    assert "respondent.org_code" in unknown_bank.json()["error"]["fields"]
    assert not Entrustment.objects.exists()


def test_only_the_pushing_court_reads_its_entrustment(world: dict[str, Any]) -> None:
    client = Client()
    entrustment_id = _push(client, world["key"], _body()).json()["entrustment_id"]
    path = f"{PATH}/{entrustment_id}"
    own = client.get(path, **_signed(world["key"], "GET", path, b""))
    assert own.status_code == 200
    assert own.json()["status"] == "pending" and own.json()["case_no"] is None
    other = client.get(path, **_signed(world["other_key"], "GET", path, b""))
    assert other.status_code == 404
