# ruff: noqa: F401, F811
"""Drafting from a closed case, review, publication and withdrawal of typical cases; only
published cases are ever public (list, detail, search)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accord.audit.models import TraceEvent
from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.publicity.models import TypicalCase, TypicalCaseStatus
from accord.publicity.services.typical import (
    typical_case_draft,
    typical_case_publish,
    typical_case_withdraw,
)

from .conftest import (
    ID_NUMBER,
    PHONE,
    _english,
    ada,
    alice,
    application,
    bank,
    case,
    charlie,
    clean_texts,
    client_of,
    closed_case,
    draft,
    drive,
    evidence_bucket,
    mia,
    org,
    other_org,
    review_post,
)

pytestmark = pytest.mark.django_db


def review_url(typical: TypicalCase) -> str:
    return reverse(
        "publicity:review", kwargs={"code": typical.organization.code, "typical_id": typical.pk}
    )


def test_a_draft_masks_the_parties_names_and_identifiers(draft, closed_case) -> None:
    assert draft.status == TypicalCaseStatus.DRAFT
    assert draft.business_type == closed_case.business_type
    for text in (draft.facts, draft.claims, draft.course):
        assert "张三丰" not in text
        assert "李四光" not in text
        assert PHONE not in text
        assert ID_NUMBER not in text
    assert "理财产品" in draft.facts  # the rest of the text is kept


def test_only_the_cases_organization_admins_draft(closed_case, mia, charlie, alice) -> None:
    for user in (mia, charlie, alice):
        with pytest.raises(ServiceError):
            typical_case_draft(case=closed_case, user=user)
        response = client_of(user).post(
            reverse("publicity:draft", kwargs={"case_no": closed_case.case_no})
        )
        assert response.status_code == 404
    assert not TypicalCase.objects.exists()


def test_a_case_still_open_is_refused(case, ada) -> None:
    with pytest.raises(ServiceError) as refused:
        typical_case_draft(case=case, user=ada)
    assert refused.value.code == "case_not_closed"
    assert not TypicalCase.objects.exists()


def test_the_case_page_offers_the_draft_to_the_admin_only(closed_case, ada, mia) -> None:
    url = reverse("cases:detail", kwargs={"case_no": closed_case.case_no})
    draft_url = reverse("publicity:draft", kwargs={"case_no": closed_case.case_no})
    assert draft_url in client_of(ada).get(url).content.decode()
    assert draft_url not in client_of(mia).get(url).content.decode()
    response = client_of(ada).post(draft_url)
    typical = TypicalCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == review_url(typical)


def test_the_review_page_shows_the_original_to_the_admin_only(draft, ada, mia, charlie) -> None:
    page = client_of(ada).get(review_url(draft)).content.decode()
    assert "张三丰" in page  # the original, highlighted
    assert 'class="masked"' in page
    for user in (mia, charlie):
        assert client_of(user).get(review_url(draft)).status_code == 404


def test_publishing_needs_the_review_confirmation(draft, ada) -> None:
    data = review_post(clean_texts(), action="publish", reviewed=False)
    response = client_of(ada).post(review_url(draft), data)
    assert response.status_code == 400
    assert "reviewed" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.DRAFT
    with pytest.raises(ServiceError) as refused:
        typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=False)
    assert refused.value.code == "not_reviewed"


def test_publishing_is_refused_while_identifiers_remain(draft, ada) -> None:
    texts = clean_texts(lessons=f"请拨打{PHONE}咨询。", facts="申请人张三丰购买了理财产品。")
    response = client_of(ada).post(
        review_url(draft), review_post(texts, action="publish", reviewed=True)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "lessons" in errors
    assert "facts" in errors
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.DRAFT
    assert "张三丰" not in draft.facts  # nothing was saved


def test_others_cannot_publish(draft, mia, charlie) -> None:
    for user in (mia, charlie):
        with pytest.raises(ServiceError):
            typical_case_publish(typical=draft, user=user, texts=clean_texts(), reviewed=True)
        data = review_post(clean_texts(), action="publish", reviewed=True)
        assert client_of(user).post(review_url(draft), data).status_code == 404
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.DRAFT


def _public_ids(query: dict[str, str] | None = None) -> set[int]:
    response = client_of(None).get(reverse("publicity:library"), query or {})
    assert response.status_code == 200
    return {t.pk for t in response.context["cases"]}


def _detail_status(typical: TypicalCase) -> int:
    url = reverse("publicity:case", kwargs={"typical_id": typical.pk})
    return client_of(None).get(url).status_code


def test_nothing_unreviewed_is_ever_public(draft, ada) -> None:
    phrase = {"q": "风险等级"}
    assert draft.pk not in _public_ids()
    assert draft.pk not in _public_ids(phrase)
    assert _detail_status(draft) == 404

    data = review_post(clean_texts(), action="publish", reviewed=True)
    response = client_of(ada).post(review_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.PUBLISHED
    assert draft.reviewed_by == ada
    assert draft.pk in _public_ids()
    assert draft.pk in _public_ids(phrase)
    assert _detail_status(draft) == 200

    url = reverse(
        "publicity:withdraw", kwargs={"code": draft.organization.code, "typical_id": draft.pk}
    )
    assert client_of(ada).post(url, {"reason": "当事人提出异议"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.WITHDRAWN
    assert draft.pk not in _public_ids()
    assert draft.pk not in _public_ids(phrase)
    assert _detail_status(draft) == 404


def test_a_published_case_is_no_longer_editable(draft, ada) -> None:
    typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=True)
    data = review_post(clean_texts(facts="改过的事实"), action="save", reviewed=True)
    assert client_of(ada).post(review_url(draft), data).status_code == 409
    draft.refresh_from_db()
    assert draft.facts == clean_texts().facts


def test_withdrawal_needs_a_reason(draft, ada) -> None:
    typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=True)
    with pytest.raises(ServiceError) as refused:
        typical_case_withdraw(typical=draft, user=ada, reason="  ")
    assert refused.value.code == "reason_required"
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.PUBLISHED


def test_the_traces_carry_ids_and_digests_only(draft, ada, closed_case) -> None:
    typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=True)
    typical_case_withdraw(typical=draft, user=ada, reason="申请人张三丰提出异议")
    org = draft.organization
    org.refresh_from_db()
    events = list(TraceEvent.objects.filter(chain_id=org.chain_id).order_by("seq"))
    actions = [e.action for e in events]
    assert actions[-3:] == [
        "typical_case.drafted",
        "typical_case.published",
        "typical_case.withdrawn",
    ]
    for event in events[-3:]:
        body = str(event.payload)
        for secret in ("张三丰", "李四光", PHONE, ID_NUMBER, "理财产品", "异议"):
            assert secret not in body
        assert event.payload["typical_case_id"] == draft.pk
        assert event.payload["case_id"] == closed_case.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_search_on_postgresql_by_a_chinese_phrase_and_business_type(
    draft, ada, alice, application, drive
) -> None:
    typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=True)
    draft.refresh_from_db()
    assert draft.search_document is not None
    assert _public_ids({"q": "风险等级"}) == {draft.pk}
    assert _public_ids({"q": "披露产品"}) == {draft.pk}  # a phrase of the lessons
    assert _public_ids({"q": "理财"}) == {draft.pk}
    assert _public_ids({"q": "保险理赔"}) == set()
    assert _public_ids({"q": "风险 保险"}) == set()  # every piece must match
    # The business type, searched by its name and filtered by its value.
    assert _public_ids({"q": "wealth"}) == {draft.pk}
    assert _public_ids({"business_type": "wealth_management"}) == {draft.pk}
    assert _public_ids({"business_type": "insurance"}) == set()
    assert _public_ids({"organization": draft.organization.code}) == {draft.pk}


def test_the_library_filter_refuses_an_unknown_business_type(draft, ada) -> None:
    response = client_of(None).get(reverse("publicity:library"), {"business_type": "nope"})
    assert response.status_code == 400
    assert "business_type" in response.context["form"].errors


def test_the_search_pieces_are_cjk_bigrams_and_latin_words() -> None:
    from accord.publicity.search import document_terms, query_terms

    assert query_terms("理财产品") == ["理财", "财产", "产品"]
    assert query_terms("款 ＡＢＣ123") == ["款", "abc123"]
    assert set(document_terms("借款合同")) >= {"借", "款", "借款", "款合", "合同"}
    assert query_terms("，。！") == []


def test_the_draft_title_names_the_business_type(draft) -> None:
    assert draft.title == "理财产品纠纷典型案例"


def test_the_withdrawal_form_refuses_an_empty_reason(draft, ada) -> None:
    typical_case_publish(typical=draft, user=ada, texts=clean_texts(), reviewed=True)
    url = reverse(
        "publicity:withdraw", kwargs={"code": draft.organization.code, "typical_id": draft.pk}
    )
    response = client_of(ada).post(url, {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["withdraw_form"].errors
    draft.refresh_from_db()
    assert draft.status == TypicalCaseStatus.PUBLISHED
