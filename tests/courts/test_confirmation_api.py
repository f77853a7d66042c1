# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""Judicial confirmation (R13) and recusal over the court API: a docked court is told when an
application is filed with it, lists and reads it, downloads its package (traced), records its
ruling as its platform account; another court sees none of it. The entrusting court requires
a mediator's recusal."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.conflicts.models import RecusalApplication
from accord.courts.models import CourtCallback, CourtDocking, CourtKey, Entrustment
from accord.courts.services.entrustments import entrustment_accept
from accord.orgs.models import OrgKind, Role
from accord.orgs.selectors import has_role
from accord.outcomes.models import ConfirmationApplication, ConfirmationStatus
from accord.outcomes.services import confirmation_apply, confirmation_consent
from tests.cases.conftest import as_org
from tests.courts.test_auth import _body, _push, _signed
from tests.factories import OrganizationFactory
from tests.outcomes.conftest import (  # noqa: F401  (fixtures)
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    case,
    cleo,
    court,
    court_agreement,
    drive,
    mia,
    org,
    other_court,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(court: Any, org: Any) -> CourtKey:
    CourtDocking.objects.create(
        court=court, default_organization=org, callback_url="http://127.0.0.1:9/callbacks"
    )
    return CourtKey.objects.create(court=court, key_id="ck_confirm", secret="s-confirm")


@pytest.fixture
def other_key(other_court: Any) -> CourtKey:
    return CourtKey.objects.create(court=other_court, key_id="ck_other", secret="s-other")


def _call(key: CourtKey, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = _signed(key, method, path, raw)
    client = Client()
    if method == "GET":
        return client.get(path, **headers)
    return client.post(path, raw, content_type="application/json", **headers)


@pytest.fixture
def filed(alice: Any, court_agreement: Any, key: CourtKey, ben: Any) -> ConfirmationApplication:
    # alice first: the entrusted case links the account that signs in with its phone.
    application = confirmation_apply(agreement=court_agreement, user=ben)
    return confirmation_consent(application=application, user=alice)


def test_the_court_is_told_lists_reads_downloads_and_rules(
    filed: ConfirmationApplication, key: CourtKey, other_key: CourtKey
) -> None:
    callback = CourtCallback.objects.get(kind="confirmation.filed")
    assert callback.court_id == key.court_id
    assert callback.body["data"]["confirmation_id"] == str(filed.uuid)

    listed = _call(key, "GET", "/api/court/v1/confirmations?status=filed")
    assert listed.status_code == 200
    assert [c["confirmation_id"] for c in listed.json()["results"]] == [str(filed.uuid)]
    assert _call(key, "GET", "/api/court/v1/confirmations?status=nope").status_code == 400
    path = f"/api/court/v1/confirmations/{filed.uuid}"
    one = _call(key, "GET", path).json()
    assert one["status"] == "filed" and one["package"]["sha256"] == filed.package_sha256
    # Another court: nothing of it.
    assert _call(other_key, "GET", path).status_code == 404
    assert _call(other_key, "GET", "/api/court/v1/confirmations").json()["results"] == []

    package = _call(key, "GET", f"{path}/package")
    assert package.status_code == 200
    data = b"".join(package.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()
    case = filed.case
    assert TraceEvent.objects.filter(
        chain=case.chain, action="confirmation.package_downloaded"
    ).exists()

    refused = _call(key, "POST", f"{path}/outcome", {"outcome": "rejected", "ruling_no": "x"})
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    assert ConfirmationApplication.objects.get(pk=filed.pk).status == ConfirmationStatus.FILED
    assert _call(other_key, "POST", f"{path}/outcome", {"outcome": "confirmed"}).status_code == 404

    ruled = _call(
        key,
        "POST",
        f"{path}/outcome",
        {
            "outcome": "confirmed",
            "ruling_no": "(2026)京01民特1号",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert ruled.status_code == 200, ruled.content
    assert ruled.json()["status"] == "confirmed"
    assert ruled.json()["ruling"]["ruling_no"] == "(2026)京01民特1号"
    again = _call(key, "POST", f"{path}/outcome", {"outcome": "confirmed", "ruling_no": "y"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_filed"
    event = TraceEvent.objects.get(chain=case.chain, action="confirmation.confirmed")
    platform = CourtDocking.objects.get(court=key.court).platform_user
    assert platform is not None and event.actor["user_id"] == platform.pk
    assert has_role(platform, Role.COURT_CLERK, key.court)
    # The platform account cannot sign in: no usable password, no phone.
    assert not platform.has_usable_password() and not platform.phone


def test_a_court_without_a_docking_is_not_called_back(
    alice: Any, court_agreement: Any, ben: Any
) -> None:
    application = confirmation_apply(agreement=court_agreement, user=ben)
    assert confirmation_consent(application=application, user=alice).status == "filed"
    assert not CourtCallback.objects.exists()


def test_the_entrusting_court_requires_a_recusal(
    key: CourtKey, ada: Any, mia: Any, bank: Any
) -> None:
    bank_code = "BANK"
    pushed = _push(Client(), key, _body(respondent={"name": "示例银行", "org_code": bank_code}))
    entrustment = Entrustment.objects.get(uuid=pushed.json()["entrustment_id"])
    path = f"/api/court/v1/entrustments/{entrustment.uuid}/recusals"
    early = _call(key, "POST", path, {"reason": "调解员与被申请人存在利害关系"})
    assert early.status_code == 409
    case = entrustment_accept(
        entrustment=entrustment, user=ada, materials_signed_on=timezone.localdate()
    )
    case_services.case_assign_mediator(case=case, user=ada, mediator=mia)
    assert _call(key, "POST", path, {}).status_code == 400
    stranger = CourtKey.objects.create(
        court=as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRT9")),
        key_id="ck_stranger",
        secret="s",
    )
    assert _call(stranger, "POST", path, {"reason": "x"}).status_code == 404
    done = _call(key, "POST", path, {"reason": "调解员与被申请人存在利害关系"})
    assert done.status_code == 201, done.content
    recusal = RecusalApplication.objects.get(pk=done.json()["recusal_id"])
    assert recusal.mediator_id == mia.pk
    case.refresh_from_db()
    assert case.mediator_id is None
    assert TraceEvent.objects.filter(chain=case.chain, action="recusal.court_required").exists()
