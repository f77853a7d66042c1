"""The three intake channels of R9: party application, regulator assignment,
court entrustment — each opening a case with its own chain and first event."""

from __future__ import annotations

from datetime import date

import pytest

from accord.audit.canonical import canonical_json
from accord.audit.models import TraceEvent
from accord.audit.personal import reveal
from accord.cases import services
from accord.cases.models import CaseState, IntakeChannel
from accord.core.api import ServiceError
from tests.cases.conftest import snapshot

pytestmark = pytest.mark.django_db


def first_event(case) -> TraceEvent:
    return TraceEvent.objects.get(chain=case.chain, seq=1)


def test_a_party_application_opens_a_submitted_case_with_its_first_event(alice, application):
    app = application()
    case = services.case_apply(applicant=alice, application=app)
    assert case.state == CaseState.SUBMITTED
    assert case.channel == IntakeChannel.APPLICATION
    assert case.applicant == alice and case.submitted_by == alice
    assert case.chain.key == f"case:{case.case_no}"
    event = first_event(case)
    assert event.action == "case.submitted"
    assert event.actor == {
        "kind": "user",
        "user_id": alice.pk,
        "role": "applicant",
    }
    assert event.payload == {
        "case_no": case.case_no,
        "state": "submitted",
        "channel": "application",
        "organization": "FMC",
        "respondent": "BANK",
        "applicant_type": "natural_person",
        "business_type": "wealth_management",
        "dispute_nature": "civil_commercial",
        "amount": "12000.50",
        "application": event.payload["application"],
    }
    # Personal data stays out of the append-only trace: a keyed hash commits to the
    # application, whose key and text are kept apart (and can be erased).
    assert event.payload["application"].startswith("hmac-sha256:")
    assert reveal(event.payload["application"]) == canonical_json(app.as_json())
    assert "张三" not in str(event.payload) and "13900000001" not in str(event.payload)


def test_a_regulator_officer_assigns_a_complaint(olga, regulator, application, alice):
    case = services.case_assign_by_regulator(
        officer=olga,
        regulator=regulator,
        application=application(),
        complaint_reference="TS-2026-0042",
    )
    assert case.channel == IntakeChannel.REGULATOR
    assert case.referred_by == regulator and case.regulator_reference == "TS-2026-0042"
    assert case.submitted_by == olga
    # The complainant's account (same phone, proven by a one-time code) sees it.
    assert case.applicant == alice
    event = first_event(case)
    assert event.actor["role"] == "regulator_officer"
    assert event.payload["regulator"] == {"code": "REG", "reference": "TS-2026-0042"}


def test_only_an_officer_of_that_regulator_can_assign(ada, charlie, regulator, application):
    before = snapshot()
    for not_an_officer in (ada, charlie):
        with pytest.raises(ServiceError) as caught:
            services.case_assign_by_regulator(
                officer=not_an_officer, regulator=regulator, application=application()
            )
        assert caught.value.code == "permission_denied"
    assert snapshot() == before


def test_a_regulator_assignment_is_scope_checked_too(olga, regulator, application):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_assign_by_regulator(
            officer=olga, regulator=regulator, application=application(dispute_nature="criminal")
        )
    assert caught.value.code == "out_of_scope"
    assert snapshot() == before


def test_a_court_clerk_entrusts_a_case(cleo, court, application):
    case = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(applicant_phone="13900000099"),
        court_case_no="(2026)京01民初123号",
        entrusted_on=date(2026, 3, 2),
    )
    assert case.channel == IntakeChannel.COURT
    assert (case.court, case.court_case_no, case.entrusted_on) == (
        court,
        "(2026)京01民初123号",
        date(2026, 3, 2),
    )
    assert case.materials_signed_on is None
    assert case.applicant is None  # no account with that phone
    assert first_event(case).payload["court"] == {
        "code": "CRT",
        "court_case_no": "(2026)京01民初123号",
        "entrusted_on": "2026-03-02",
        "materials_signed_on": None,
    }


def test_the_court_platform_can_entrust_without_a_clerk(court, application):
    case = services.case_entrust_by_court(
        court=court,
        application=application(),
        court_case_no="(2026)京01民初7号",
        entrusted_on=date(2026, 3, 2),
        materials_signed_on=date(2026, 3, 3),
    )
    assert first_event(case).actor == {"kind": "system", "label": "court-platform:CRT"}
    assert case.materials_signed_on == date(2026, 3, 3)


def test_court_entrustment_refusals_write_nothing(cleo, court, ada, org, application):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_entrust_by_court(
            clerk=cleo,
            court=court,
            application=application(business_type="not_financial"),
            court_case_no=" ",
            entrusted_on=date(2026, 3, 2),
            materials_signed_on=date(2026, 3, 1),
        )
    assert caught.value.code == "out_of_scope"
    assert set(caught.value.fields) == {"business_type", "court_case_no", "materials_signed_on"}
    with pytest.raises(ServiceError) as caught:
        services.case_entrust_by_court(
            clerk=cleo,
            court=court,
            application=application(),
            court_case_no="",
            entrusted_on=date(2026, 3, 2),
        )
    assert (caught.value.code, list(caught.value.fields)) == ("invalid", ["court_case_no"])
    with pytest.raises(ServiceError) as caught:
        services.case_entrust_by_court(
            clerk=ada,
            court=court,
            application=application(),
            court_case_no="x",
            entrusted_on=date(2026, 3, 2),
        )
    assert caught.value.code == "permission_denied"
    with pytest.raises(ServiceError) as caught:
        services.case_entrust_by_court(
            court=org, application=application(), court_case_no="x", entrusted_on=date(2026, 3, 2)
        )
    assert caught.value.code == "permission_denied"
    assert snapshot() == before


def test_the_organization_signs_for_the_court_materials_once(cleo, court, ada, application):
    case = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(),
        court_case_no="x",
        entrusted_on=date(2026, 3, 2),
    )
    with pytest.raises(ServiceError) as caught:
        services.case_sign_for_materials(case=case, user=ada, signed_on=date(2026, 3, 1))
    assert "signed_on" in caught.value.fields
    services.case_sign_for_materials(case=case, user=ada, signed_on=date(2026, 3, 4))
    case.refresh_from_db()
    assert case.materials_signed_on == date(2026, 3, 4)
    last = TraceEvent.objects.filter(chain=case.chain, action__startswith="case.").latest("seq")
    assert (last.action, last.payload) == (
        "case.materials_signed",
        {"materials_signed_on": "2026-03-04"},
    )
    with pytest.raises(ServiceError) as caught:
        services.case_sign_for_materials(case=case, user=ada, signed_on=date(2026, 3, 5))
    assert caught.value.code == "already_signed"


def test_only_court_cases_have_materials_and_only_admins_sign(case, ada, mia, drive):
    with pytest.raises(ServiceError) as caught:
        services.case_sign_for_materials(case=case, user=ada, signed_on=date(2026, 3, 4))
    assert caught.value.code == "not_court_case"
    with pytest.raises(ServiceError) as caught:
        services.case_sign_for_materials(case=case, user=mia, signed_on=date(2026, 3, 4))
    assert caught.value.code == "permission_denied"
