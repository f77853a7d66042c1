"""The public page per institution: its details, its internal and external channels, its
mediation contacts and only its published clauses in force; linked from the public list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.institutions.models import ClauseStatus, MediationContact, MediationFirstClause
from accord.orgs.models import ComplaintChannel

pytestmark = pytest.mark.django_db


def clause(bank, org, contract: str, **overrides) -> MediationFirstClause:
    values: dict[str, object] = {
        "institution": bank,
        "contract": contract,
        "business_type": "loan",
        "text": f"{contract}：争议先行调解。",
        "organization": org,
        "effective_from": timezone.localdate() - dt.timedelta(days=10),
        "published": True,
    }
    values.update(overrides)
    return MediationFirstClause.objects.create(**values)


def test_the_public_page_shows_channels_contacts_and_published_clauses(
    bank, other_bank, org
) -> None:
    bank.address, bank.website = "上海市浦东新区世纪大道1号", "https://bank.example.cn"
    bank.save()
    ComplaintChannel.objects.create(
        organization=bank, scope="internal", name="客服热线", phone="95588"
    )
    ComplaintChannel.objects.create(
        organization=bank, scope="external", name="监管投诉", phone="12378"
    )
    ComplaintChannel.objects.create(
        organization=other_bank, scope="internal", name="别家热线", phone="1"
    )
    MediationContact.objects.create(
        institution=bank, organization=org, desk="调解受理窗口", phone="021-55550000"
    )
    clause(bank, org, "个人贷款合同")
    clause(bank, org, "未公开合同", published=False)
    clause(bank, org, "已撤回合同", status=ClauseStatus.WITHDRAWN)
    clause(other_bank, org, "别家合同")

    response = Client().get(reverse("institutions:public", kwargs={"code": bank.code}))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        bank.name,
        "上海市浦东新区世纪大道1号",
        "https://bank.example.cn",
        "客服热线",
        "监管投诉",
        org.name,
        "调解受理窗口",
        "021-55550000",
        "个人贷款合同",
    ):
        assert shown in page, shown
    for hidden in ("未公开合同", "已撤回合同", "别家合同", "别家热线"):
        assert hidden not in page, hidden
    # Internal and external channels stand in their own sections.
    assert page.index("客服热线") < page.index('id="external"') < page.index("监管投诉")


def test_the_public_list_links_each_institution(bank) -> None:
    page = Client().get(reverse("orgs:institutions")).content.decode()
    assert reverse("institutions:public", kwargs={"code": bank.code}) in page


def test_only_active_institutions_have_a_page(bank, org) -> None:
    assert (
        Client().get(reverse("institutions:public", kwargs={"code": org.code})).status_code == 404
    )
    bank.is_active = False
    bank.save()
    assert (
        Client().get(reverse("institutions:public", kwargs={"code": bank.code})).status_code == 404
    )
