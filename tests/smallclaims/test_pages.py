"""The pages: memoranda for institution staff and organization administrators (from the
navigation), the case page's section, the proposal form with field errors, Accept / Refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accord.smallclaims.models import Memorandum, Proposal, ProposalStatus

from .conftest import today, written

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_page(client: Client, case) -> str:
    response = client.get(reverse("cases:detail", kwargs={"case_no": case.case_no}))
    assert response.status_code == 200
    return response.content.decode()


def memo_post(org, bank, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": org.pk,
        "institution": bank.pk,
        "reference": "FMC-BANK-01",
        "threshold": "50000.00",
        "business_types": ["wealth_management"],
        "dispute_natures": ["civil_commercial"],
        "valid_from": (today() - dt.timedelta(days=30)).isoformat(),
        "valid_to": (today() + dt.timedelta(days=365)).isoformat(),
        "signed_on": (today() - dt.timedelta(days=31)).isoformat(),
        "answer_days": "5",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["ada", "ben"])
def test_the_navigation_links_the_memoranda(request, who) -> None:
    user = request.getfixturevalue(who)
    page = client_of(user).get("/").content.decode()
    assert reverse("smallclaims:memoranda") in page


def test_others_have_no_link_and_no_page(mia, alice) -> None:
    for user in (mia, alice):
        client = client_of(user)
        assert reverse("smallclaims:memoranda") not in client.get("/").content.decode()
        assert client.get(reverse("smallclaims:memoranda")).status_code == 404


def test_staff_enter_and_edit_a_memorandum(org, bank, ben) -> None:
    client = client_of(ben)
    form = client.get(reverse("smallclaims:memorandum_create")).content.decode()
    assert 'data-testid="memorandum-form"' in form
    response = client.post(reverse("smallclaims:memorandum_create"), memo_post(org, bank))
    assert response.status_code == 302
    made = Memorandum.objects.get()
    listing = client.get(reverse("smallclaims:memoranda")).content.decode()
    assert "FMC-BANK-01" in listing
    edit = reverse("smallclaims:memorandum_edit", kwargs={"pk": made.pk})
    response = client.post(edit, {**memo_post(org, bank), "threshold": "20000.00"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert str(made.threshold) == "20000.00"


def test_bad_memorandum_input_is_shown_on_its_field(org, bank, ada, memorandum) -> None:
    client = client_of(ada)
    before = written()
    response = client.post(
        reverse("smallclaims:memorandum_create"),
        memo_post(org, bank, valid_to=(today() - dt.timedelta(days=60)).isoformat()),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_to"]
    response = client.post(reverse("smallclaims:memorandum_create"), memo_post(org, bank))
    assert response.status_code == 409
    assert response.context["form"].errors["valid_from"]  # overlap
    assert written() == before


def test_the_mediator_sees_the_section_and_issues_a_proposal(mediating, memorandum, mia) -> None:
    client = client_of(mia)
    page = case_page(client, mediating)
    assert 'data-testid="smallclaim-section"' in page
    assert 'data-verdict="eligible"' in page
    assert 'data-testid="proposal-form"' in page
    url = reverse("smallclaims:proposal_issue", kwargs={"case_no": mediating.case_no})
    data = {
        "amount": "8000.00",
        "facts": "事实",
        "dispute": "争议",
        "terms": "条款",
        "pay_within_days": "15",
        "ground_kind_0": "law",
        "ground_citation_0": "《中华人民共和国消费者权益保护法》第二十九条",
    }
    # Above the threshold: on the amount field, nothing written.
    before = written()
    response = client.post(url, {**data, "amount": "60000.00"})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    # A ground without its citation.
    response = client.post(url, {**data, "ground_citation_0": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["ground_citation_0"]
    assert written() == before
    response = client.post(url, data)
    assert response.status_code == 302
    assert Proposal.objects.get().status == ProposalStatus.ISSUED
    assert 'data-testid="proposal-form"' not in case_page(client, mediating)


def test_the_applicant_accepts_from_the_case_page(proposal, mediating, alice) -> None:
    client = client_of(alice)
    page = case_page(client, mediating)
    assert 'data-testid="proposal-accept"' in page
    assert 'data-testid="proposal-refuse"' in page
    assert 'data-testid="proposal-pdf"' in page
    assert proposal.answer_due_on.isoformat() in page
    response = client.post(
        reverse("smallclaims:proposal_accept", kwargs={"proposal_uuid": proposal.uuid})
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    page = case_page(client, mediating)
    assert 'data-testid="agreement-to-sign"' in page
    assert 'data-testid="proposal-accept"' not in page


def test_the_applicant_refuses(proposal, mediating, alice) -> None:
    client = client_of(alice)
    response = client.post(
        reverse("smallclaims:proposal_refuse", kwargs={"proposal_uuid": proposal.uuid}),
        {"reason": "不同意"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    assert 'data-testid="third-party-opinion"' in case_page(client, mediating)


def test_others_have_no_buttons_and_their_posts_write_nothing(proposal, mediating, ben) -> None:
    client = client_of(ben)
    page = case_page(client, mediating)
    assert 'data-testid="proposal"' in page
    assert 'data-testid="proposal-accept"' not in page
    before = written()
    client.post(reverse("smallclaims:proposal_accept", kwargs={"proposal_uuid": proposal.uuid}))
    assert written() == before


def test_the_proposal_page(proposal, alice) -> None:
    response = client_of(alice).get(
        reverse("smallclaims:proposal", kwargs={"proposal_uuid": proposal.uuid})
    )
    assert response.status_code == 200
    assert "消费者权益保护法" in response.content.decode()


def test_pages_in_chinese(proposal, mediating, alice) -> None:
    client = client_of(alice)
    with translation.override("zh-hans"):
        page = case_page(client, mediating)
    assert "小额纠纷快速解决机制" in page
    assert "接受调解建议" in page
