"""Case numbers {org code}-{year}-{5-digit seq}: unique and gap-free per
organization and year, also under concurrent intake on PostgreSQL."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.models import Case, CaseCounter
from accord.cases.services import intake
from accord.core.api import ServiceError
from tests.cases.conftest import snapshot
from tests.cases.factories import api_application


def seqs(org) -> list[int]:
    return sorted(Case.objects.filter(organization=org).values_list("seq", flat=True))


@pytest.mark.django_db
def test_numbers_are_org_code_year_and_five_digits(alice, application, org):
    first = services.case_apply(applicant=alice, application=application())
    second = services.case_apply(applicant=alice, application=application())
    year = timezone.localdate().year
    assert (first.case_no, second.case_no) == (f"FMC-{year}-00001", f"FMC-{year}-00002")
    assert first.chain.key == f"case:FMC-{year}-00001"
    assert CaseCounter.objects.get(organization=org, year=year).last_seq == 2


@pytest.mark.django_db
def test_each_organization_counts_on_its_own(alice, application, other_org):
    services.case_apply(applicant=alice, application=application())
    other = services.case_apply(applicant=alice, application=application(organization=other_org))
    assert other.case_no.startswith("PMC-") and other.case_no.endswith("-00001")


@pytest.mark.django_db
def test_each_year_counts_on_its_own(alice, application, org, monkeypatch):
    services.case_apply(applicant=alice, application=application())
    monkeypatch.setattr(intake, "intake_year", lambda moment: 2099)
    case = services.case_apply(applicant=alice, application=application())
    assert case.case_no == "FMC-2099-00001"


def test_the_year_is_the_year_in_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 16:30 UTC on 31 December is 00:30 on 1 January in Beijing.
    assert intake.intake_year(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == 2027
    assert intake.intake_year(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == 2026


@pytest.mark.django_db
def test_a_refused_intake_between_two_cases_leaves_no_gap(alice, application, org):
    services.case_apply(applicant=alice, application=application())
    before = snapshot()
    with pytest.raises(ServiceError):
        services.case_apply(applicant=alice, application=application(amount=Decimal("-1")))
    assert snapshot() == before
    services.case_apply(applicant=alice, application=application())
    assert seqs(org) == [1, 2]


@pytest.mark.django_db
def test_an_intake_that_fails_after_taking_a_number_gives_it_back(
    alice, application, org, monkeypatch
):
    services.case_apply(applicant=alice, application=application())
    before = snapshot()

    def broken(**kwargs):
        raise RuntimeError("database went away after the counter was incremented")

    monkeypatch.setattr(intake, "trace_append", broken)
    with pytest.raises(RuntimeError):
        services.case_apply(applicant=alice, application=application())
    assert snapshot() == before
    monkeypatch.undo()
    case = services.case_apply(applicant=alice, application=application())
    assert case.seq == 2
    assert seqs(org) == [1, 2]


# --- Concurrency (PostgreSQL) --------------------------------------------------

PARALLEL = 20


def _session_headers(client: Client) -> dict[str, str]:
    """Cookies of a signed-in session plus a CSRF token pair, for a real HTTP client."""
    token = secrets.token_hex(16)  # 32 characters, what Django's CSRF cookie holds
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/json",
    }


def _post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310  (the test's own live server)
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  (local)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_api_intakes_get_numbers_1_to_n_with_no_gap_or_duplicate(
    live_server, alice, org, bank
):
    client = Client()
    client.force_login(alice)
    headers = _session_headers(client)
    url = f"{live_server.url}/api/cases/"
    good = api_application(organization="FMC", respondent="BANK")
    # Every fifth request is out of scope: refused in the middle of the rush.
    bodies = [
        api_application(organization="FMC", respondent="BANK", business_type="not_financial")
        if index % 5 == 4
        else good
        for index in range(PARALLEL + PARALLEL // 4)
    ]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(lambda body: _post(url, body, headers), bodies))

    created = [body for status, body in results if status == 201]
    refused = [body for status, body in results if status == 400]
    assert len(created) == PARALLEL, results
    assert {r["error"]["code"] for r in refused} == {"out_of_scope"}
    year = timezone.localdate().year
    numbers = sorted(body["case_no"] for body in created)
    assert numbers == [f"FMC-{year}-{n:05d}" for n in range(1, PARALLEL + 1)]
    assert seqs(org) == list(range(1, PARALLEL + 1))
    assert CaseCounter.objects.get(organization=org, year=year).last_seq == PARALLEL
    # One chain per case, each with exactly its submission event.
    assert TraceEvent.objects.filter(action="case.submitted").count() == PARALLEL


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_the_first_intakes_of_a_year_race_to_create_the_counter(alice, application, org):
    """No counter row exists yet: the racing inserts must not fail or double-issue."""
    app = application()

    def apply(_: int) -> str:
        try:
            return services.case_apply(applicant=alice, application=app).case_no
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        numbers = sorted(pool.map(apply, range(10)))
    year = timezone.localdate().year
    assert numbers == [f"FMC-{year}-{n:05d}" for n in range(1, 11)]
    assert CaseCounter.objects.filter(organization=org).count() == 1
