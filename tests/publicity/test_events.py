# ruff: noqa: F401, F811
"""Open days and outreach events: managed by the organization's administrators, public once
published (upcoming first, past below), gone when cancelled; traced without their texts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from accord.publicity.models import EventKind, OutreachEvent
from accord.publicity.services.events import (
    EventInput,
    event_cancel,
    event_create,
    event_publish,
)

from .conftest import _english, ada, charlie, client_of, mia, org, other_org

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def event_data(days: int, **overrides: object) -> EventInput:
    starts = timezone.now() + dt.timedelta(days=days)
    values: dict[str, object] = {
        "title": f"公众开放日 {days}",
        "event_kind": EventKind.OPEN_DAY,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "place": "金融街1号调解中心",
        "description": "欢迎市民参观调解室。",
        "registration": "请致电报名",
    }
    values.update(overrides)
    return EventInput(**values)  # type: ignore[arg-type]


def manage_url(org) -> str:
    return reverse("publicity:manage", kwargs={"code": org.code})


def test_the_organization_page_links_the_management_page(org, ada) -> None:
    page = client_of(ada).get(reverse("orgs:manage", kwargs={"code": org.code})).content.decode()
    assert manage_url(org) in page
    assert client_of(ada).get(manage_url(org)).status_code == 200


def test_the_navigation_links_the_public_pages(ada) -> None:
    for user in (None, ada):
        page = client_of(user).get("/").content.decode()
        assert reverse("publicity:library") in page
        assert reverse("publicity:events") in page


def test_only_the_admins_manage(org, mia, charlie) -> None:
    for user in (mia, charlie):
        assert client_of(user).get(manage_url(org)).status_code == 404
        with pytest.raises(ServiceError):
            event_create(organization=org, user=user, data=event_data(3))
    assert not OutreachEvent.objects.exists()


def test_an_event_is_public_once_published_and_until_cancelled(org, ada) -> None:
    client = client_of(ada)
    starts = timezone.localtime() + dt.timedelta(days=5)
    form = {
        "title": "金融知识宣传周",
        "event_kind": "outreach",
        "starts_at": starts.strftime(FMT),
        "ends_at": (starts + dt.timedelta(hours=3)).strftime(FMT),
        "place": "市民广场",
        "description": "",
        "registration": "",
        "registration_url": "",
    }
    url = reverse("publicity:event_create", kwargs={"code": org.code})
    assert client.post(url, form).status_code == 302
    event = OutreachEvent.objects.get()
    assert not event.published

    public = client_of(None)
    detail = reverse("publicity:event", kwargs={"event_id": event.pk})
    assert public.get(detail).status_code == 404
    assert event not in public.get(reverse("publicity:events")).context["upcoming"]

    publish = reverse("publicity:event_publish", kwargs={"code": org.code, "event_id": event.pk})
    assert client.post(publish).status_code == 302
    assert public.get(detail).status_code == 200
    assert public.get(reverse("publicity:events")).context["upcoming"] == [event]

    cancel = reverse("publicity:event_cancel", kwargs={"code": org.code, "event_id": event.pk})
    assert client.post(cancel).status_code == 302
    assert public.get(detail).status_code == 404
    assert public.get(reverse("publicity:events")).context["upcoming"] == []


def test_upcoming_first_soonest_first_and_past_below(org, ada) -> None:
    later = event_publish(
        event=event_create(organization=org, user=ada, data=event_data(9)), user=ada
    )
    sooner = event_publish(
        event=event_create(organization=org, user=ada, data=event_data(2)), user=ada
    )
    past = event_publish(
        event=event_create(organization=org, user=ada, data=event_data(-4)), user=ada
    )
    event_create(organization=org, user=ada, data=event_data(4))  # never published
    response = client_of(None).get(reverse("publicity:events"))
    assert response.context["upcoming"] == [sooner, later]
    assert response.context["past"] == [past]
    page = response.content.decode()
    assert page.index(later.title) < page.index(past.title)


def test_an_event_ending_before_it_starts_is_refused(org, ada) -> None:
    starts = timezone.localtime() + dt.timedelta(days=5)
    form = {
        "title": "开放日",
        "event_kind": "open_day",
        "starts_at": starts.strftime(FMT),
        "ends_at": (starts - dt.timedelta(hours=1)).strftime(FMT),
        "place": "调解中心",
    }
    url = reverse("publicity:event_create", kwargs={"code": org.code})
    response = client_of(ada).post(url, form)
    assert response.status_code == 400
    assert "ends_at" in response.context["form"].errors
    assert not OutreachEvent.objects.exists()


def test_event_traces_carry_no_texts(org, ada) -> None:
    event = event_create(organization=org, user=ada, data=event_data(3))
    event_publish(event=event, user=ada)
    event_cancel(event=event, user=ada)
    org.refresh_from_db()
    events = list(TraceEvent.objects.filter(chain_id=org.chain_id).order_by("seq"))
    assert [e.action for e in events][-3:] == [
        "outreach.created",
        "outreach.published",
        "outreach.cancelled",
    ]
    for trace in events[-3:]:
        body = str(trace.payload)
        assert trace.payload["event_id"] == event.pk
        for text in ("金融街", "参观", "报名", "公众开放日"):
            assert text not in body
    with pytest.raises(ServiceError):
        event_cancel(event=event, user=ada)
