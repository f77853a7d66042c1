"""Staff (and administrators) of an institution keep its complaint channels, mediation
contacts and mediation-first clauses; another institution's staff get 404 and change nothing;
bad input is shown on its field; traces carry no personal data or clause text."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.cases.errors import NotAllowed
from accord.core.api import ServiceError
from accord.institutions.models import ClauseStatus, MediationContact, MediationFirstClause
from accord.institutions.services.clauses import ClauseInput, clause_create
from accord.institutions.services.contacts import ContactInput, mediation_contact_create
from accord.orgs.models import ComplaintChannel
from accord.outcomes.services.common import text_sha256

from .conftest import client_of, events_of, payloads

pytestmark = pytest.mark.django_db

CLAUSE_TEXT = "因本合同引起的争议，双方同意先行提交金融纠纷调解中心调解。"


def contact_post(org, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": org.pk,
        "desk": "受理窗口",
        "contact_person": "李四",
        "phone": "13812345678",
        "email": "desk@fmc.example.cn",
        "note": "工作日 9:00–17:00",
        "order": "1",
    }
    data.update(overrides)
    return data


def clause_post(org, **overrides) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "contract": "个人理财产品销售合同",
        "business_type": "wealth_management",
        "text": CLAUSE_TEXT,
        "organization": org.pk,
        "effective_from": today.isoformat(),
        "effective_to": (today + dt.timedelta(days=365)).isoformat(),
        "status": ClauseStatus.IN_FORCE,
        "published": "on",
    }
    data.update(overrides)
    return data


def test_the_navigation_leads_staff_to_their_desk(bank, ben, alice) -> None:
    page = client_of(ben).get(reverse("cases:my_cases")).content.decode()
    assert reverse("institutions:manage_index") in page
    desk = client_of(ben).get(reverse("institutions:manage_index"))
    assert desk.status_code == 200
    body = desk.content.decode()
    for name in ("channels", "contacts", "clauses", "cases", "report"):
        assert reverse(f"institutions:{name}", kwargs={"code": bank.code}) in body
    assert reverse("institutions:manage_index") not in (
        client_of(alice).get(reverse("cases:my_cases")).content.decode()
    )
    assert client_of(alice).get(reverse("institutions:manage_index")).status_code == 404


def test_staff_and_administrators_keep_the_channels(bank, ben, bea) -> None:
    url = reverse("institutions:channels", kwargs={"code": bank.code})
    response = client_of(ben).post(
        url, {"scope": "internal", "name": "客服热线", "phone": "95588", "url": "", "address": ""}
    )
    assert response.status_code == 302
    channel = ComplaintChannel.objects.get(organization=bank)
    assert channel.name == "客服热线"
    edit = reverse(
        "institutions:channel_edit", kwargs={"code": bank.code, "channel_id": channel.pk}
    )
    response = client_of(bea).post(
        edit, {"scope": "internal", "name": "客服热线", "phone": "95599", "url": "", "address": ""}
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.phone == "95599"
    actions = [event.action for event in events_of(bank, "complaint_channel.")]
    assert actions == ["complaint_channel.created", "complaint_channel.updated"]
    roles = [event.actor["role"] for event in events_of(bank, "complaint_channel.")]
    assert roles == ["institution_staff", "org_admin"]
    delete = reverse(
        "institutions:channel_delete", kwargs={"code": bank.code, "channel_id": channel.pk}
    )
    assert client_of(ben).post(delete).status_code == 302
    assert not ComplaintChannel.objects.filter(organization=bank).exists()


def test_a_channel_without_any_contact_is_refused_on_its_field(bank, ben) -> None:
    url = reverse("institutions:channels", kwargs={"code": bank.code})
    response = client_of(ben).post(url, {"scope": "internal", "name": "热线"})
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert not ComplaintChannel.objects.exists()


def test_contacts_are_kept_and_traced_without_personal_data(bank, org, ben) -> None:
    url = reverse("institutions:contacts", kwargs={"code": bank.code})
    assert client_of(ben).get(url).status_code == 200
    response = client_of(ben).post(url, contact_post(org))
    assert response.status_code == 302
    contact = MediationContact.objects.get(institution=bank)
    assert (contact.organization, contact.contact_person) == (org, "李四")
    edit = reverse(
        "institutions:contact_edit", kwargs={"code": bank.code, "contact_id": contact.pk}
    )
    response = client_of(ben).post(edit, contact_post(org, phone="13987654321", desk="新窗口"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "13987654321"
    written = json.dumps(payloads(bank, "mediation_contact."), ensure_ascii=False)
    for private in ("李四", "13812345678", "13987654321", "desk@fmc.example.cn", "新窗口"):
        assert private not in written
    created, updated = payloads(bank, "mediation_contact.")
    assert created["organization_id"] == org.pk
    assert created["desk_sha256"] == text_sha256("受理窗口")
    assert updated["changes"]["phone"] == "changed"
    assert updated["changes"]["desk"]["to"] == {"sha256": text_sha256("新窗口")}
    delete = reverse(
        "institutions:contact_delete", kwargs={"code": bank.code, "contact_id": contact.pk}
    )
    assert client_of(ben).post(delete).status_code == 302
    assert not MediationContact.objects.exists()
    assert events_of(bank)[-1].action == "mediation_contact.deleted"


def test_a_non_mediation_organization_is_refused_as_contact(bank, other_bank, org, ben) -> None:
    url = reverse("institutions:contacts", kwargs={"code": bank.code})
    response = client_of(ben).post(url, contact_post(org, organization=other_bank.pk))
    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    response = client_of(ben).post(url, contact_post(org, phone="", email=""))
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert not MediationContact.objects.exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(ServiceError) as refused:
        mediation_contact_create(
            institution=bank,
            user=ben,
            data=ContactInput(organization=other_bank, desk="窗口", phone="95588"),
        )
    assert refused.value.code == "not_mediation_org"
    assert refused.value.fields == {"organization": [refused.value.message]}
    assert not MediationContact.objects.exists()
    assert events_of(bank, "mediation_contact.") == []


def test_clauses_are_registered_and_traced_by_their_hash(bank, org, ben) -> None:
    url = reverse("institutions:clauses", kwargs={"code": bank.code})
    assert client_of(ben).post(url, clause_post(org)).status_code == 302
    clause = MediationFirstClause.objects.get(institution=bank)
    assert clause.published and clause.status == ClauseStatus.IN_FORCE
    edit = reverse("institutions:clause_edit", kwargs={"code": bank.code, "clause_id": clause.pk})
    assert client_of(ben).get(edit).status_code == 200
    response = client_of(ben).post(edit, clause_post(org, status=ClauseStatus.WITHDRAWN))
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.WITHDRAWN
    created, updated = payloads(bank, "mediation_first_clause.")
    assert created["text_sha256"] == text_sha256(CLAUSE_TEXT)
    assert created["organization_id"] == org.pk
    assert updated["changes"] == {"status": {"from": "in_force", "to": "withdrawn"}}
    written = json.dumps(payloads(bank), ensure_ascii=False)
    assert CLAUSE_TEXT not in written and "个人理财产品销售合同" not in written
    delete = reverse(
        "institutions:clause_delete", kwargs={"code": bank.code, "clause_id": clause.pk}
    )
    assert client_of(ben).post(delete).status_code == 302
    assert not MediationFirstClause.objects.exists()


def test_a_clause_ending_before_it_starts_is_refused(bank, org, ben) -> None:
    today = timezone.localdate()
    url = reverse("institutions:clauses", kwargs={"code": bank.code})
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = client_of(ben).post(url, clause_post(org, effective_to=yesterday))
    assert response.status_code == 400
    assert "effective_to" in response.context["form"].errors
    response = client_of(ben).post(url, clause_post(org, organization=bank.pk))
    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    assert not MediationFirstClause.objects.exists()
    with pytest.raises(ServiceError) as refused:
        clause_create(
            institution=bank,
            user=ben,
            data=ClauseInput(
                contract="合同",
                business_type="loan",
                text="先行调解",
                effective_from=today,
                effective_to=today - dt.timedelta(days=1),
            ),
        )
    assert refused.value.code == "dates_out_of_order"
    assert not MediationFirstClause.objects.exists()
    assert events_of(bank, "mediation_first_clause.") == []


def test_another_institutions_staff_get_404_and_change_nothing(bank, other_bank, org, ben, ivy):
    client_of(ben).post(
        reverse("institutions:contacts", kwargs={"code": bank.code}), contact_post(org)
    )
    client_of(ben).post(
        reverse("institutions:clauses", kwargs={"code": bank.code}), clause_post(org)
    )
    channel = ComplaintChannel.objects.create(
        organization=bank, scope="internal", name="热线", phone="1"
    )
    contact = MediationContact.objects.get()
    clause = MediationFirstClause.objects.get()
    before = len(events_of(bank))
    code = {"code": bank.code}
    pages = [
        reverse("institutions:channels", kwargs=code),
        reverse("institutions:contacts", kwargs=code),
        reverse("institutions:clauses", kwargs=code),
        reverse("institutions:cases", kwargs=code),
        reverse("institutions:report", kwargs=code),
        reverse("institutions:channel_edit", kwargs={**code, "channel_id": channel.pk}),
        reverse("institutions:contact_edit", kwargs={**code, "contact_id": contact.pk}),
        reverse("institutions:clause_edit", kwargs={**code, "clause_id": clause.pk}),
    ]
    intruder = client_of(ivy)
    for url in pages:
        assert intruder.get(url).status_code == 404, url
        assert intruder.post(url, clause_post(org)).status_code == 404, url
    for name, key, pk in (
        ("channel_delete", "channel_id", channel.pk),
        ("contact_delete", "contact_id", contact.pk),
        ("clause_delete", "clause_id", clause.pk),
    ):
        assert (
            intruder.post(reverse(f"institutions:{name}", kwargs={**code, key: pk})).status_code
            == 404
        )
        # Nor through her own institution's pages with BANK's row ids.
        own = {"code": other_bank.code, key: pk}
        assert intruder.post(reverse(f"institutions:{name}", kwargs=own)).status_code == 404
    assert (
        intruder.get(reverse("institutions:channels", kwargs={"code": other_bank.code})).status_code
        == 200
    )
    assert ComplaintChannel.objects.filter(pk=channel.pk).exists()
    assert MediationContact.objects.filter(pk=contact.pk).exists()
    assert MediationFirstClause.objects.filter(pk=clause.pk).exists()
    assert len(events_of(bank)) == before
    # The service itself refuses her, whoever calls it.
    with pytest.raises(NotAllowed):
        clause_create(
            institution=bank,
            user=ivy,
            data=ClauseInput(
                contract="合同",
                business_type="loan",
                text="先行调解",
                effective_from=timezone.localdate(),
            ),
        )
