"""The court docking pages (issue 14): the inbox, deciding an entrustment, resending a dead
letter, and the dockings with their keys (a secret is shown once; a revoked key is refused by
the court API)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.models import Case
from accord.courts.models import (
    CallbackStatus,
    CourtCallback,
    CourtDocking,
    CourtKey,
    Entrustment,
    EntrustmentMaterial,
    EntrustmentStatus,
    MaterialStatus,
)
from accord.orgs.models import OrgKind, Role
from tests.cases.conftest import as_org, member
from tests.courts.test_auth import PATH, _body, _push, _signed
from tests.factories import (
    InstitutionFactory,
    MediationOrgFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    court = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRT1", name="示例法院"))
    key = CourtKey.objects.create(court=court, key_id="ck_crt1", secret="s-CRT1")
    org = as_org(MediationOrgFactory(code="MCX"))
    other_org = as_org(MediationOrgFactory(code="MCY"))
    InstitutionFactory(code="BNKX")
    CourtDocking.objects.create(
        court=court, default_organization=org, callback_url="http://127.0.0.1:9/callbacks"
    )
    admin = member(UserFactory(username="ada"), Role.ORG_ADMIN, org)
    mediator = member(UserFactory(username="mia"), Role.MEDIATOR, org)
    stranger = member(UserFactory(username="sam"), Role.ORG_ADMIN, other_org)
    return {
        "court": court,
        "key": key,
        "org": org,
        "admin": admin,
        "mediator": mediator,
        "stranger": stranger,
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entrustment(world: dict[str, Any], **overrides: Any) -> Entrustment:
    response = _push(Client(), world["key"], _body(**overrides))
    assert response.status_code == 201, response.content
    return Entrustment.objects.get(uuid=response.json()["entrustment_id"])


def _detail(entrustment: Entrustment) -> str:
    return reverse("courts:entrustment", kwargs={"uuid": entrustment.uuid})


def test_the_inbox_lists_pending_first_and_links_each(world: dict[str, Any]) -> None:
    decided = _entrustment(world, court_case_no="(2026)京0105民初1号")
    Entrustment.objects.filter(pk=decided.pk).update(status=EntrustmentStatus.DECLINED)
    pending = _entrustment(world, court_case_no="(2026)京0105民初2号")
    response = _client(world["admin"]).get(reverse("courts:inbox"))
    assert response.status_code == 200
    assert [e.pk for e in response.context["pending"]] == [pending.pk]
    assert [e.pk for e in response.context["decided"]] == [decided.pk]
    html = response.content.decode()
    assert html.index(_detail(pending)) < html.index(_detail(decided))
    assert reverse("courts:callbacks") in html
    # The manage page of the organization links the court pages.
    manage = _client(world["admin"]).get(reverse("orgs:manage", kwargs={"code": "MCX"}))
    for name in ("courts:inbox", "courts:callbacks", "courts:dockings"):
        assert reverse(name) in manage.content.decode()


def test_others_are_refused(world: dict[str, Any]) -> None:
    entrustment = _entrustment(world)
    for user in (world["mediator"], world["stranger"]):
        client = _client(user)
        assert client.get(_detail(entrustment)).status_code == 404
        accept = reverse("courts:entrustment-accept", kwargs={"uuid": entrustment.uuid})
        today = timezone.localdate().isoformat()
        answer = client.post(accept, {"accept-materials_signed_on": today})
        assert answer.status_code == 404
    assert _client(world["mediator"]).get(reverse("courts:inbox")).status_code == 403
    assert _client(world["mediator"]).get(reverse("courts:dockings")).status_code == 403
    # The other organization's administrator sees an empty inbox, not this entrustment.
    other = _client(world["stranger"]).get(reverse("courts:inbox"))
    assert other.status_code == 200 and not other.context["pending"]
    assert (
        _client(world["stranger"])
        .get(reverse("courts:docking", kwargs={"court_code": "CRT1"}))
        .status_code
        == 404
    )
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING


def test_accepting_on_the_page_opens_the_case_and_redirects(world: dict[str, Any]) -> None:
    entrustment = _entrustment(world)
    EntrustmentMaterial.objects.create(
        entrustment=entrustment,
        position=0,
        name="起诉状.pdf",
        sha256="0" * 64,
        url="http://127.0.0.1:9/m/0",
        status=MaterialStatus.STORED,
    )
    client = _client(world["admin"])
    page = client.get(_detail(entrustment))
    assert page.status_code == 200
    assert page.context["accept_form"]["materials_signed_on"].value() == timezone.localdate()
    assert "起诉状.pdf" in page.content.decode()
    url = reverse("courts:entrustment-accept", kwargs={"uuid": entrustment.uuid})
    today = timezone.localdate()
    response = client.post(
        url, {"accept-materials_signed_on": today.isoformat(), "accept-complexity": "simple"}
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(entrustment)
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.ACCEPTED
    assert entrustment.case is not None
    case = entrustment.case
    assert case.materials_signed_on == today
    assert case.complexity == "simple"
    assert TraceEvent.objects.filter(action="entrustment.accepted").exists()
    after = client.get(_detail(entrustment))
    html = after.content.decode()
    assert reverse("cases:detail", kwargs={"case_no": case.case_no}) in html
    assert 'action="' + url not in html  # decided: no forms any more
    # The callback owed to the court is listed with its status.
    assert [c.kind for c in after.context["callbacks"]] == ["entrustment.accepted"]
    assert 'data-testid="callback"' in html


def test_a_bad_date_is_a_field_error_and_opens_nothing(world: dict[str, Any]) -> None:
    entrustment = _entrustment(world)
    url = reverse("courts:entrustment-accept", kwargs={"uuid": entrustment.uuid})
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _client(world["admin"]).post(
        url, {"accept-materials_signed_on": tomorrow.isoformat(), "accept-complexity": "normal"}
    )
    assert response.status_code == 400
    assert "materials_signed_on" in response.context["accept_form"].errors
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING
    assert not Case.objects.exists()


def test_declining_needs_a_reason_then_works(world: dict[str, Any]) -> None:
    entrustment = _entrustment(world)
    client = _client(world["admin"])
    url = reverse("courts:entrustment-decline", kwargs={"uuid": entrustment.uuid})
    events = TraceEvent.objects.count()
    empty = client.post(url, {"decline-reason": "   "})
    assert empty.status_code == 400
    assert "reason" in empty.context["decline_form"].errors
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING
    assert TraceEvent.objects.count() == events
    assert not CourtCallback.objects.exists()

    done = client.post(url, {"decline-reason": "不属于本中心受理范围。"})
    assert done.status_code == 302 and done["Location"] == _detail(entrustment)
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.DECLINED
    assert entrustment.decline_reason == "不属于本中心受理范围。"
    event = TraceEvent.objects.get(action="entrustment.declined")
    assert "不属于" not in json.dumps(event.payload, ensure_ascii=False)
    assert CourtCallback.objects.get().kind == "entrustment.declined"
    # Deciding twice: refused on the form, nothing changed.
    again = client.post(url, {"decline-reason": "again"})
    assert again.status_code == 409
    entrustment.refresh_from_db()
    assert entrustment.decline_reason == "不属于本中心受理范围。"


def test_a_dead_letter_is_resent_from_the_page(world: dict[str, Any]) -> None:
    entrustment = _entrustment(world)
    client = _client(world["admin"])
    client.post(
        reverse("courts:entrustment-decline", kwargs={"uuid": entrustment.uuid}),
        {"decline-reason": "不受理"},
    )
    callback = CourtCallback.objects.get()
    CourtCallback.objects.filter(pk=callback.pk).update(
        status=CallbackStatus.DEAD, attempts=8, last_error="HTTP 503"
    )
    page = client.get(reverse("courts:callbacks"))
    assert list(page.context["callbacks"]) == [callback]
    resend = reverse("courts:callback-resend", kwargs={"callback_id": callback.pk})
    assert resend in page.content.decode()
    # Nobody else resends it.
    assert _client(world["stranger"]).post(resend).status_code == 404
    assert _client(world["mediator"]).post(resend).status_code == 404
    response = client.post(resend)
    assert response.status_code == 302 and response["Location"] == reverse("courts:callbacks")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING and callback.attempts == 0
    assert TraceEvent.objects.filter(action="court.callback_resent").count() == 1
    # Now pending: listed among the recent ones, and a second resend changes nothing.
    after = client.get(reverse("courts:callbacks"))
    assert not after.context["callbacks"] and list(after.context["recent"]) == [callback]
    client.post(resend)
    assert TraceEvent.objects.filter(action="court.callback_resent").count() == 1


def test_a_new_key_shows_its_secret_once_and_revoking_it_refuses_it(
    world: dict[str, Any],
) -> None:
    client = _client(world["admin"])
    docking_url = reverse("courts:docking", kwargs={"court_code": "CRT1"})
    response = client.post(reverse("courts:key-create", kwargs={"court_code": "CRT1"}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    key = response.context["new_key"]
    assert secret and secret in response.content.decode()
    assert CourtKey.objects.get(pk=key.pk).secret == secret
    event = TraceEvent.objects.get(action="court.key_created")
    assert event.payload == {"court": world["court"].pk, "key_id": key.key_id}
    assert secret not in json.dumps(event.payload)
    again = client.get(docking_url)
    assert again.status_code == 200
    assert key.key_id in again.content.decode() and secret not in again.content.decode()

    # The new key signs a push; revoked, the court API refuses it as unknown.
    pushed = _push(Client(), key, _body(court_case_no="(2026)京0105民初7号"))
    assert pushed.status_code == 201
    path = f"{PATH}/{pushed.json()['entrustment_id']}"
    revoke = reverse("courts:key-revoke", kwargs={"court_code": "CRT1", "key_pk": key.pk})
    assert client.post(revoke).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert TraceEvent.objects.filter(action="court.key_revoked").count() == 1
    refused = Client().get(path, **_signed(key, "GET", path, b""))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "key_unknown"
    # Revoking twice changes nothing.
    client.post(revoke)
    assert TraceEvent.objects.filter(action="court.key_revoked").count() == 1


def test_rotating_keeps_the_old_key_until_revoked(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    old = world["key"]
    url = reverse("courts:key-rotate", kwargs={"court_code": "CRT1", "key_pk": old.pk})
    response = client.post(url)
    assert response.status_code == 200
    new = response.context["new_key"]
    assert new.pk != old.pk and response.context["secret"]
    old.refresh_from_db()
    assert old.revoked_at is None
    event = TraceEvent.objects.get(action="court.key_rotated")
    assert event.payload["replaces"] == old.key_id and event.payload["key_id"] == new.key_id
    assert _push(Client(), old, _body()).status_code == 201
    # Another organization's administrator cannot touch the court's keys.
    other = _client(world["stranger"]).post(
        reverse("courts:key-revoke", kwargs={"court_code": "CRT1", "key_pk": old.pk})
    )
    assert other.status_code == 404
    old.refresh_from_db()
    assert old.revoked_at is None


def test_dockings_are_listed_created_and_edited(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    new_court = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRT9", name="新法院"))
    page = client.get(reverse("courts:dockings"))
    assert [d.court.code for d in page.context["dockings"]] == ["CRT1"]
    assert list(page.context["form"].fields["court"].queryset) == [new_court]
    bad = client.post(
        reverse("courts:dockings"),
        {
            "court": new_court.pk,
            "organization": world["org"].pk,
            "callback_url": "https://court.example/cb",
            "material_hosts": "files.court.example, bad host",
        },
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "material_hosts" in errors and "callback_key_id" in errors
    assert not CourtDocking.objects.filter(court=new_court).exists()

    made = client.post(
        reverse("courts:dockings"),
        {
            "court": new_court.pk,
            "organization": world["org"].pk,
            "callback_url": "https://court.example/cb",
            "callback_key_id": "accord-1",
            "callback_secret": "top-secret-value",
            "material_hosts": "Files.Court.Example, files.court.example:8443",
        },
    )
    assert made.status_code == 302
    assert made["Location"] == reverse("courts:docking", kwargs={"court_code": "CRT9"})
    docking = CourtDocking.objects.get(court=new_court)
    assert docking.default_organization == world["org"]
    assert docking.callback_secret == "top-secret-value"
    assert docking.material_hosts == "files.court.example,files.court.example:8443"
    event = TraceEvent.objects.get(action="court.docking_saved")
    assert "top-secret-value" not in json.dumps(event.payload)
    assert event.payload["callback_secret_changed"] is True
    edit = client.get(made["Location"])
    assert "top-secret-value" not in edit.content.decode()

    # Editing without a secret keeps the stored one.
    saved = client.post(
        made["Location"],
        {
            "organization": world["org"].pk,
            "callback_url": "https://court.example/callbacks",
            "callback_key_id": "accord-2",
            "callback_secret": "",
            "material_hosts": "",
        },
    )
    assert saved.status_code == 302
    docking.refresh_from_db()
    assert docking.callback_url == "https://court.example/callbacks"
    assert docking.callback_key_id == "accord-2"
    assert docking.callback_secret == "top-secret-value"
    assert TraceEvent.objects.filter(action="court.docking_saved").count() == 2
    # Another organization's administrator neither sees nor takes the docking.
    stranger = _client(world["stranger"])
    assert stranger.get(made["Location"]).status_code == 404
    listed = stranger.get(reverse("courts:dockings"))
    assert not listed.context["dockings"]


def test_the_key_and_docking_services_refuse_outsiders(world: dict[str, Any]) -> None:
    from accord.cases.errors import NotAllowed
    from accord.core.api import ConflictError, ServiceError
    from accord.courts.services.keys import court_key_create, docking_save

    court, stranger = world["court"], world["stranger"]
    other_org = as_org(MediationOrgFactory(code="MCY"))
    # An administrator of another organization does not take over a docked court.
    with pytest.raises(NotAllowed):
        docking_save(
            court=court,
            organization=other_org,
            user=stranger,
            callback_url="https://evil.example/cb",
            callback_key_id="k",
            callback_secret="s",
        )
    docking = CourtDocking.objects.get(court=court)
    assert docking.default_organization == world["org"]
    assert docking.callback_url == "http://127.0.0.1:9/callbacks"
    # Only a court docks.
    bank = as_org(InstitutionFactory(code="BNKY"))
    with pytest.raises(ServiceError) as refused:
        docking_save(
            court=bank,
            organization=world["org"],
            user=world["admin"],
            callback_url="",
            callback_key_id="",
        )
    assert "court" in refused.value.fields
    with pytest.raises(NotAllowed):
        court_key_create(court=court, user=world["mediator"])
    lone = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRT8"))
    with pytest.raises(ConflictError):
        court_key_create(court=lone, user=world["admin"])
    assert CourtKey.objects.count() == 1
    assert not TraceEvent.objects.filter(action__startswith="court.").exists()
