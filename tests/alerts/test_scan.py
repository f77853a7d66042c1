# ruff: noqa: F401, F811
"""alerts_scan against the database: surges and groups raised, traced and told to whom they
concern; a repeated scan updates instead of duplicating; old cases are not read."""

from __future__ import annotations

import json

import pytest

from accord.alerts.models import Alert, AlertKind, AlertStatus, SeriesKind
from accord.alerts.services import CHAIN_KEY, alert_close, alerts_scan
from accord.audit.models import TraceEvent
from accord.inbox.models import Notice

from .conftest import (
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


def events(action: str) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain__key=CHAIN_KEY, action=action).order_by("seq"))


def test_a_planted_surge_and_group_are_raised_traced_and_told(
    file_cases, amc, bank, ada, olga, ben, boris, ivy, bea
) -> None:
    cases = file_cases(8, organization=amc, respondent=bank, product="稳盈 一号")
    result = alerts_scan()
    by_series = {a.series: a for a in result.raised}
    assert set(by_series) == {
        SeriesKind.INSTITUTION,
        SeriesKind.INSTITUTION_PRODUCT,
        SeriesKind.BUSINESS_TYPE,
        SeriesKind.RESPONDENT_PRODUCT,
    }
    surge = by_series[SeriesKind.INSTITUTION]
    assert surge.kind == AlertKind.SURGE and surge.status == AlertStatus.OPEN
    assert surge.region == "上海市" and surge.respondent == bank and surge.observed == 8
    assert surge.p_value is not None and surge.p_value < 1e-4
    assert surge.parameters["window_days"] == 7
    assert by_series[SeriesKind.INSTITUTION_PRODUCT].product_key == "稳盈一号"
    group = by_series[SeriesKind.RESPONDENT_PRODUCT]
    assert group.kind == AlertKind.GROUP and group.similarity == 1.0
    assert set(group.cases.all()) == set(cases)

    raised = events("alert.raised")
    assert len(raised) == 4
    payload = raised[0].payload
    assert sorted(payload["case_nos"]) == sorted(c.case_no for c in cases)
    text = json.dumps([e.payload for e in raised], ensure_ascii=False)
    assert "张三" not in text and "13900000001" not in text and "稳盈" not in text
    assert raised[0].actor["kind"] == "system"

    told = {n.user.username for n in Notice.objects.filter(kind="alert.raised")}
    assert told == {"ada", "olga", "ben"}
    notice = Notice.objects.filter(user=olga).first()
    assert (
        notice is not None and notice.url == f"/alerts/AREG/{by_series[SeriesKind.INSTITUTION].pk}/"
    )


def test_a_repeated_scan_updates_the_open_alert_instead_of_duplicating(
    file_cases, amc, bank
) -> None:
    file_cases(8, organization=amc, respondent=bank)
    alerts_scan()
    assert Alert.objects.count() == 3  # institution, business type, group (no product)
    before = TraceEvent.objects.filter(chain__key=CHAIN_KEY).count()
    again = alerts_scan()
    assert again.raised == [] and again.updated == []
    assert TraceEvent.objects.filter(chain__key=CHAIN_KEY).count() == before

    more = file_cases(2, organization=amc, respondent=bank)
    result = alerts_scan()
    assert result.raised == [] and len(result.updated) == 3
    assert Alert.objects.count() == 3
    surge = Alert.objects.get(series=SeriesKind.INSTITUTION)
    assert surge.observed == 10 and surge.cases.count() == 10
    updated = events("alert.updated")
    assert len(updated) == 3
    assert sorted(updated[0].payload["added_case_nos"]) == sorted(c.case_no for c in more)


def test_a_closed_alert_is_not_raised_again_by_the_same_cases(file_cases, amc, bank, root) -> None:
    file_cases(8, organization=amc, respondent=bank)
    alerts_scan()
    surge = Alert.objects.get(series=SeriesKind.INSTITUTION)
    alert_close(surge, root, "已约谈机构")
    alerts_scan()
    assert Alert.objects.filter(series=SeriesKind.INSTITUTION).count() == 1
    file_cases(1, organization=amc, respondent=bank)
    alerts_scan()
    fresh = Alert.objects.get(series=SeriesKind.INSTITUTION, status=AlertStatus.OPEN)
    assert fresh.pk != surge.pk and fresh.cases.count() == 9


def test_old_cases_are_not_read_and_a_few_cases_raise_nothing(file_cases, amc, bmc, bank) -> None:
    file_cases(8, organization=amc, respondent=bank, days_ago=200)
    file_cases(4, organization=bmc, respondent=bank, numbered=True)
    result = alerts_scan()
    assert result.raised == []
    assert Alert.objects.count() == 0
