"""Notarization with enforcement effect: the creditor, the debtor and the guarantor must all
consent; the mediator refers; only a notary of that office sees the referral and records the
outcome."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.core.api import ConflictError, ServiceError
from accord.documents.models import Document
from accord.inbox.models import Notice
from accord.outcomes.models import NotarizationRequest, NotarizationStatus
from accord.outcomes.selectors import notary_referrals
from accord.outcomes.services import (
    notarization_consent,
    notarization_guarantor_consent,
    notarization_record_outcome,
    notarization_refer,
    notarization_request,
)
from tests.outcomes.conftest import all_payload_text, events

pytestmark = pytest.mark.django_db

GUARANTOR = "李保证"


@pytest.fixture
def asked(agreement, alice, notary_office) -> NotarizationRequest:
    """alice (the creditor: the bank owes her 1,200 yuan) asks; the debt has a guarantor."""
    return notarization_request(
        agreement=agreement,
        user=alice,
        notary_office=notary_office,
        creditor="applicant",
        guarantor_name=GUARANTOR,
    )


def refused_without_writing(run, code):
    before = (TraceEvent.objects.count(), Document.objects.count())
    with pytest.raises(ServiceError) as refused:
        run()
    assert refused.value.code == code
    assert (TraceEvent.objects.count(), Document.objects.count()) == before
    return refused.value


def test_every_consent_is_needed_before_the_referral(asked, ben, mia):
    error = refused_without_writing(
        lambda: notarization_refer(request=asked, user=mia), "consent_missing"
    )
    assert error.fields["consents"] == ["respondent", "guarantor"]
    notarization_consent(request=asked, user=ben)
    error = refused_without_writing(
        lambda: notarization_refer(request=asked, user=mia), "consent_missing"
    )
    assert error.fields["consents"] == ["guarantor"]
    notarization_guarantor_consent(request=asked, user=mia)
    assert Notice.objects.filter(user=mia, kind="notarization.ready").exists()
    referred = notarization_refer(request=asked, user=mia)
    assert referred.status == NotarizationStatus.REFERRED
    assert referred.referral is not None
    assert referred.referral.document.kind == "notarization_referral"
    assert [
        e.action
        for e in TraceEvent.objects.filter(
            chain=asked.case.chain, action__startswith="notarization."
        ).order_by("seq")
    ] == [
        "notarization.requested",
        "notarization.consented",
        "notarization.consented",
        "notarization.referred",
    ]
    # The guarantor's name is sealed in the trace, never in clear.
    assert GUARANTOR not in all_payload_text()
    assert (
        events(asked.case, "notarization.requested")[0]
        .payload["guarantor"]
        .startswith("hmac-sha256:")
    )


def test_without_a_guarantor_the_two_sides_suffice(agreement, ben, alice, mia, notary_office):
    asked = notarization_request(
        agreement=agreement, user=ben, notary_office=notary_office.code, creditor="applicant"
    )
    refused_without_writing(
        lambda: notarization_guarantor_consent(request=asked, user=mia), "no_guarantor"
    )
    notarization_consent(request=asked, user=alice)
    assert notarization_refer(request=asked, user=mia).status == NotarizationStatus.REFERRED


def test_each_party_consents_only_for_itself(asked, alice, ben, mia, charlie):
    refused_without_writing(
        lambda: notarization_consent(request=asked, user=alice), "already_consented"
    )
    refused_without_writing(
        lambda: notarization_consent(request=asked, user=mia), "permission_denied"
    )
    refused_without_writing(
        lambda: notarization_guarantor_consent(request=asked, user=ben), "permission_denied"
    )
    refused_without_writing(
        lambda: notarization_refer(request=asked, user=alice), "permission_denied"
    )
    notarization_consent(request=asked, user=ben)
    notarization_guarantor_consent(request=asked, user=mia)
    refused_without_writing(
        lambda: notarization_guarantor_consent(request=asked, user=mia), "already_consented"
    )


@pytest.fixture
def referred(asked, ben, mia) -> NotarizationRequest:
    notarization_consent(request=asked, user=ben)
    notarization_guarantor_consent(request=asked, user=mia)
    return notarization_refer(request=asked, user=mia)


def test_only_the_notary_of_that_office_sees_and_decides(nora, nick, referred, cleo, client, alice):
    assert list(notary_referrals(nora)) == [referred]
    assert list(notary_referrals(nick)) == []
    assert Notice.objects.filter(user=nora, kind="notarization.referred").exists()
    assert not Notice.objects.filter(user=nick).exists()
    for outsider in (nick, cleo):
        with pytest.raises(NotAllowed):
            notarization_record_outcome(
                request=referred, user=outsider, outcome="notarized", certificate_no="1"
            )
        client.force_login(outsider)
        assert client.get(f"/en/outcomes/notary/referrals/{referred.uuid}/").status_code == 404
    done = notarization_record_outcome(
        request=referred, user=nora, outcome="notarized", certificate_no="(2026)示证字第1号"
    )
    assert (done.status, done.certificate_no) == (NotarizationStatus.NOTARIZED, "(2026)示证字第1号")
    assert events(referred.case, "notarization.notarized")[0].actor["role"] == "notary"
    assert Notice.objects.filter(user=alice, kind="notarization.notarized").exists()
    with pytest.raises(ConflictError) as again:
        notarization_record_outcome(request=referred, user=nora, outcome="refused", reason="x")
    assert again.value.code == "not_referred"


def test_a_request_that_is_still_awaiting_consent_is_not_shown_to_the_notary(asked, nora):
    assert list(notary_referrals(nora)) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"outcome": "maybe"}, "invalid_outcome"),
        ({"outcome": "notarized"}, "certificate_no_required"),
        ({"outcome": "refused"}, "reason_required"),
    ],
)
def test_bad_outcomes_are_refused(referred, nora, kwargs, code):
    refused_without_writing(
        lambda: notarization_record_outcome(request=referred, user=nora, **kwargs), code
    )


def test_bad_requests_are_refused_and_nothing_written(agreement, alice, mia, notary_office, court):
    def ask(**kwargs):
        values = {"notary_office": notary_office, "creditor": "applicant", **kwargs}
        return lambda: notarization_request(
            agreement=agreement, user=values.pop("user", alice), **values
        )

    refused_without_writing(ask(user=mia), "permission_denied")
    refused_without_writing(ask(notary_office=court), "invalid_notary_office")
    refused_without_writing(ask(notary_office=None), "invalid_notary_office")
    refused_without_writing(ask(creditor="bank"), "invalid_creditor")
    # The applicant owes the bank only a withdrawal of her complaint, not yet performed; the
    # bank is a creditor too. Once that is done the bank is owed nothing.
    agreement.obligations.filter(obligor="applicant").update(status="performed")
    refused_without_writing(ask(creditor="respondent"), "nothing_to_enforce")
    refused_without_writing(ask(guarantor_name="x" * 201), "too_long")
    assert NotarizationRequest.objects.count() == 0
    notarization_request(
        agreement=agreement, user=alice, notary_office=notary_office, creditor="applicant"
    )
    refused_without_writing(ask(), "notarization_exists")


def test_the_guarantors_consent_names_a_file_of_this_case(asked, mia):
    refused_without_writing(
        lambda: notarization_guarantor_consent(
            request=asked, user=mia, material="00000000-0000-0000-0000-000000000000"
        ),
        "invalid_material",
    )
