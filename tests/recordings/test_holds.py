"""Legal holds, whose forms are on the verification page: an administrator of the case's
organization places and releases them (POST only, each one trace event); nobody else can; the
page shows the active hold and until when the recordings are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.orgs.models import MediationRules
from accord.recordings.models import LegalHold
from accord.rooms.models import SessionStatus
from tests.packages.conftest import audrey  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def urls(case):
    base = f"/en/cases/{case.case_no}"
    return f"{base}/verify/", f"{base}/holds/"


def test_an_admin_places_and_releases_a_hold(hearing, ada):
    case = hearing.case
    verify, place = urls(case)
    client = client_for(ada)
    assert "Place a legal hold" in client.get(verify).content.decode()

    response = client.post(place, {"reason": "法院调取证据"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(case=case)
    assert hold.is_active and hold.reason == "法院调取证据" and hold.placed_by == ada
    placed = TraceEvent.objects.get(chain=case.chain, action="recording.hold_placed")
    assert placed.payload["hold_id"] == hold.pk and placed.actor["user_id"] == ada.pk
    page = client.get(verify).content.decode()
    assert "Legal hold active" in page and "法院调取证据" in page
    assert "Place a legal hold" not in page

    response = client.post(f"/en/cases/{case.case_no}/holds/{hold.pk}/release/")
    assert response.status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.released_by == ada
    assert (
        TraceEvent.objects.filter(chain=case.chain, action="recording.hold_released").count() == 1
    )
    page = client.get(verify).content.decode()
    assert "No legal hold is active." in page and "Released holds" in page
    # Released twice: refused, and no second event.
    client.post(f"/en/cases/{case.case_no}/holds/{hold.pk}/release/")
    assert (
        TraceEvent.objects.filter(chain=case.chain, action="recording.hold_released").count() == 1
    )


def test_get_is_not_allowed(hearing, ada):
    case = hearing.case
    hold = LegalHold.objects.create(case=case, reason="r", placed_by=ada)
    client = client_for(ada)
    assert client.get(urls(case)[1]).status_code == 405
    assert client.get(f"/en/cases/{case.case_no}/holds/{hold.pk}/release/").status_code == 405
    assert LegalHold.objects.filter(case=case).count() == 1 and hold.is_active


def test_others_get_404_and_nothing_changes(hearing, ada, mia, audrey, alice, charlie):  # noqa: F811
    case = hearing.case
    hold = LegalHold.objects.create(case=case, reason="kept", placed_by=ada)
    before = case.chain.head_seq
    for user in (mia, audrey, alice, charlie):
        client = client_for(user)
        assert client.post(urls(case)[1], {"reason": "mine"}).status_code == 404, user
        release = f"/en/cases/{case.case_no}/holds/{hold.pk}/release/"
        assert client.post(release).status_code == 404, user
    # Those who see the verification page see the hold, without the buttons.
    page = client_for(mia).get(urls(case)[0]).content.decode()
    assert "Legal hold active" in page and "Release the legal hold" not in page
    hold.refresh_from_db()
    assert hold.is_active
    assert LegalHold.objects.filter(case=case).count() == 1
    case.chain.refresh_from_db()
    assert case.chain.head_seq == before


def test_a_blank_reason_is_a_field_error(hearing, ada):
    case = hearing.case
    response = client_for(ada).post(urls(case)[1], {"reason": "   "})
    assert response.status_code == 400
    form = response.context["hold_form"]
    assert "reason" in form.errors
    assert "has-error" in response.content.decode()
    assert not LegalHold.objects.filter(case=case).exists()
    assert not TraceEvent.objects.filter(chain=case.chain, action="recording.hold_placed").exists()


def test_the_page_shows_the_retention_date(hearing, ada):
    case = hearing.case
    MediationRules.objects.update_or_create(
        organization=case.organization, defaults={"recording_retention_days": 30}
    )
    ended = timezone.now() - timedelta(days=1)
    hearing.status = SessionStatus.ENDED
    hearing.ended_at = ended
    hearing.save(update_fields=["status", "ended_at"])
    page = client_for(ada).get(urls(case)[0]).content.decode()
    keep_until = timezone.localtime(ended + timedelta(days=30)).strftime("%Y-%m-%d")
    assert "Recordings kept until" in page and keep_until in page
    assert "30 days after the hearing ends" in page
    chinese = client_for(ada).get(f"/cases/{case.case_no}/verify/").content.decode()
    assert "录像保存至" in chinese and "采取法律保全" in chinese
