# ruff: noqa: F401, F811
"""Who sees which alert, and which cases behind it; acknowledging and closing (traced, refused
to outsiders, a note required), through the services and the pages."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from accord.alerts.models import Alert, AlertStatus, SeriesKind
from accord.alerts.selectors import alerts_in_scope, cases_behind
from accord.alerts.services import CHAIN_KEY, alert_acknowledge, alert_close, alerts_scan
from accord.analytics.scope import scope_for
from accord.audit.models import TraceEvent
from accord.cases.models import BusinessType
from accord.core.api import ServiceError

from .conftest import (
    COMPLAINT,
    _english,
    ada,
    alice,
    amc,
    areg,
    bank,
    bea,
    ben,
    bmc,
    boris,
    breg,
    evidence_bucket,
    file_cases,
    ins,
    ivy,
    olga,
    root,
)

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(file_cases, amc, bmc, bank, ins):
    """A group against BANK across both regions (5 at AMC, 3 at BMC, the same text), and a
    surge against INS in 北京市 (8 insurance cases, each its own text)."""
    a_cases = file_cases(5, organization=amc, respondent=bank)
    b_cases = file_cases(3, organization=bmc, respondent=bank)
    texts = [f"保险理赔纠纷第{i}号：{'甲乙丙丁戊己庚辛'[i] * 12}被拒赔。" for i in range(8)]
    ins_cases = [
        file_cases(
            1, organization=bmc, respondent=ins, text=t, business_type=BusinessType.INSURANCE
        )[0]
        for t in texts
    ]
    alerts_scan()
    return {"a": a_cases, "b": b_cases, "ins": ins_cases}


def group_alert() -> Alert:
    return Alert.objects.get(series=SeriesKind.RESPONDENT_PRODUCT)


def ins_alerts() -> set[Alert]:
    return set(Alert.objects.filter(region="北京市"))


def visible(user, key) -> set[Alert]:
    return set(alerts_in_scope(scope_for(user, key)))


def test_a_regulator_sees_its_region_and_only_its_cases(world, olga, boris) -> None:
    group = group_alert()
    b_alerts = ins_alerts()
    assert {a.series for a in b_alerts} == {SeriesKind.INSTITUTION, SeriesKind.BUSINESS_TYPE}
    assert visible(olga, "AREG") == {group}  # nothing of 北京市's surge
    assert visible(boris, "BREG") == {group, *b_alerts}
    behind_a = set(cases_behind(group, scope_for(olga, "AREG")))
    assert behind_a == set(world["a"])
    assert set(cases_behind(group, scope_for(boris, "BREG"))) == set(world["b"])

    page = client_of(olga).get(reverse("alerts:detail", args=["AREG", group.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(c.case_no in html for c in world["a"])
    assert not any(c.case_no in html for c in world["b"])
    for alert in b_alerts:
        assert (
            client_of(olga).get(reverse("alerts:detail", args=["AREG", alert.pk])).status_code
            == 404
        )
    listing = client_of(olga).get(reverse("alerts:list", args=["AREG"])).content.decode()
    assert f'data-id="{group.pk}"' in listing
    assert not any(f'data-id="{a.pk}"' in listing for a in b_alerts)
    # Another's scope is not reachable at all.
    assert client_of(olga).get(reverse("alerts:list", args=["BREG"])).status_code == 404


def test_an_institution_sees_only_alerts_about_itself(world, ben, ivy, root) -> None:
    group = group_alert()
    ins_surges = ins_alerts()
    assert visible(ben, "BANK") == {group}
    by_series = {a.series: a for a in ins_surges}
    # INS sees its own surge, not the business type's (which is about no institution).
    assert visible(ivy, "INS") == {by_series[SeriesKind.INSTITUTION]}
    assert visible(root, "system") == {group, *ins_surges}


def test_acknowledge_and_close_are_traced(world, ada) -> None:
    group = group_alert()
    alert_acknowledge(group, ada)
    group.refresh_from_db()
    assert group.status == AlertStatus.ACKNOWLEDGED and group.acknowledged_by == ada
    note = "已与机构沟通，统一安排调解。"
    alert_close(group, ada, note)
    group.refresh_from_db()
    assert group.status == AlertStatus.CLOSED and group.close_note == note
    ack, closed = (
        TraceEvent.objects.get(chain__key=CHAIN_KEY, action=action)
        for action in ("alert.acknowledged", "alert.closed")
    )
    assert ack.actor_user_id == ada.pk and closed.actor_user_id == ada.pk
    assert closed.payload["note_sha256"] == hashlib.sha256(note.encode()).hexdigest()
    assert note not in str(closed.payload)
    with pytest.raises(ServiceError):
        alert_close(group, ada, "again")


def test_outsiders_are_refused(world, ivy, bea, ben) -> None:
    group = group_alert()
    before = TraceEvent.objects.filter(chain__key=CHAIN_KEY).count()
    with pytest.raises(ServiceError) as refused:
        alert_acknowledge(group, ivy)
    assert refused.value.code == "not_found"
    with pytest.raises(ServiceError):
        alert_close(group, ivy, "无关")
    surge = next(a for a in ins_alerts() if a.series == SeriesKind.BUSINESS_TYPE)
    with pytest.raises(ServiceError):
        alert_acknowledge(surge, ben)  # a business type's surge is no institution's
    client = client_of(ivy)
    assert client.post(reverse("alerts:acknowledge", args=["INS", group.pk])).status_code == 404
    assert (
        client.post(reverse("alerts:close", args=["BANK", group.pk]), {"note": "x"}).status_code
        == 404
    )
    group.refresh_from_db()
    assert group.status == AlertStatus.OPEN
    assert TraceEvent.objects.filter(chain__key=CHAIN_KEY).count() == before


def test_closing_without_a_note_is_refused_on_the_field(world, ada) -> None:
    group = group_alert()
    client = client_of(ada)
    url = reverse("alerts:close", args=["AMC", group.pk])
    response = client.post(url, {"note": "   "})
    assert response.status_code == 400
    assert response.context["close_form"].errors["note"]
    with pytest.raises(ServiceError) as refused:
        alert_close(group, ada, "")
    assert refused.value.fields == {"note": [refused.value.message]}
    group.refresh_from_db()
    assert group.status == AlertStatus.OPEN
    assert not TraceEvent.objects.filter(chain__key=CHAIN_KEY, action="alert.closed").exists()


def test_pages_acknowledge_close_and_filter(world, ada) -> None:
    group = group_alert()
    client = client_of(ada)
    index = client.get(reverse("alerts:index")).content.decode()
    assert reverse("alerts:list", args=["AMC"]) in index
    detail = client.get(reverse("alerts:detail", args=["AMC", group.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert reverse("cases:detail", args=[world["a"][0].case_no]) in html
    response = client.post(reverse("alerts:acknowledge", args=["AMC", group.pk]))
    assert response.status_code == 302
    response = client.post(reverse("alerts:close", args=["AMC", group.pk]), {"note": "已处理"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == AlertStatus.CLOSED
    listed = client.get(reverse("alerts:list", args=["AMC"]), {"status": "open"}).content.decode()
    assert f'data-id="{group.pk}"' not in listed
    listed = client.get(reverse("alerts:list", args=["AMC"]), {"status": "closed"}).content.decode()
    assert f'data-id="{group.pk}"' in listed
    assert client.get(reverse("alerts:list", args=["AMC"]), {"status": "bogus"}).status_code == 400
