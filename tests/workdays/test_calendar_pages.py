"""The administration page: system administrators reach it from where they land, enter a
year's data from the notice, and see every mistake on its field; others get nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.workdays.models import CalendarDay, CalendarYear
from accord.workdays.periods import Due, add_working_days
from accord.workdays.services import calendar_year_enter
from tests.workdays.conftest import TEXT_2027, counts, days_2027

# Paths, not reverse(): reverse() follows whatever language an earlier test left active.
MY_CASES = "/cases/"
INDEX = "/workdays/"
YEAR_2027 = "/workdays/2027/"


@pytest.fixture(autouse=True)
def _today_is_2_december_2026(monkeypatch):
    """The index lists the years still missing from today's; the tests run on any date."""
    monkeypatch.setattr("accord.workdays.views.timezone.localdate", lambda: dt.date(2026, 12, 2))


def test_a_system_administrator_clicks_from_the_landing_page_to_2027(client, root):
    client.force_login(root)
    landing = client.get(MY_CASES)
    assert landing.status_code == 200
    assert f'href="{INDEX}"' in landing.content.decode()

    index = client.get(INDEX)
    page = index.content.decode()
    assert index.status_code == 200
    assert "2027 年尚无节假日数据" in page
    assert f'href="{YEAR_2027}"' in page
    # 2026 is the package's: nothing to enter.
    assert 'href="/workdays/2026/"' not in page


def test_others_do_not_see_the_link_nor_the_page(client, alice):
    client.force_login(alice)
    assert f'href="{INDEX}"' not in client.get(MY_CASES).content.decode()
    assert client.get(INDEX).status_code == 404
    assert client.get(YEAR_2027).status_code == 404
    before = counts()
    assert client.post(YEAR_2027, {"days": TEXT_2027}).status_code == 404
    assert counts() == before


def test_someone_signed_out_is_sent_to_the_staff_sign_in(client, db):
    response = client.get(YEAR_2027)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/signin/?next=")


def test_the_page_is_chinese_by_default_and_english_under_en(client, root):
    client.force_login(root)
    chinese = client.get(YEAR_2027).content.decode()
    assert "2027 年工作日历" in chinese
    assert "放假和调休上班日期" in chinese
    english = client.get(f"/en{YEAR_2027}").content.decode()
    assert "Calendar of 2027" in english
    assert "Holidays and adjusted working days" in english
    # The page's own words are English; only the examples of 休/班 lines stay Chinese.
    assert "放假和调休上班日期" not in english
    assert "保存" not in english
    # Usable on a phone: the layout's viewport, one column of full-width fields.
    assert 'name="viewport"' in chinese


def test_entering_2027_on_the_page_makes_its_deadlines_exact(
    client, root, changes, django_capture_on_commit_callbacks
):
    assert add_working_days(dt.date(2026, 12, 30), 3) == Due(dt.date(2027, 1, 4), True)
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(YEAR_2027, {"days": TEXT_2027, "note": "国办发明电〔2026〕7号"})
    assert response.status_code == 302
    assert response["Location"] == INDEX

    calendar_year = CalendarYear.objects.get(year=2027)
    assert calendar_year.entered_by == root
    assert sorted(CalendarDay.objects.values_list("date", "kind", "name")) == sorted(
        (d.date, d.kind, d.name) for d in days_2027()
    )
    assert add_working_days(dt.date(2026, 12, 30), 3) == Due(dt.date(2027, 1, 5), False)
    assert [change.year for change in changes] == [2027]

    index = client.get(INDEX).content.decode()
    assert "2027 年工作日历已保存" in index
    assert "2027 年尚无节假日数据" not in index
    assert "国办发明电〔2026〕7号" in index


def test_the_year_page_shows_what_was_entered_as_text_to_edit(client, root, root_actor):
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    client.force_login(root)
    page = client.get(YEAR_2027).content.decode()
    assert "2027-02-06~2027-02-14 休 春节" in page
    assert "2027-02-20 班 春节" in page
    assert "2027-10-09 work 国庆节" in client.get(f"/en{YEAR_2027}").content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-30 休 春节", "日期写作 YYYY-MM-DD"),
        ("2027-02-06 春节", "日期后面写“休”"),
        ("春节 2027-02-06", "日期写作 YYYY-MM-DD"),
        ("2027-02-06", "先写日期"),
        ("2027-02-12~2027-02-06 休 春节", "日期范围须从前往后"),
        ("2028-01-01 休 元旦", "2028-01-01 不在 2027 年内"),
        ("2027-01-01 休 元旦\n2027-01-01 休 元旦", "2027-01-01 重复填写"),
        ("2027-01-04 班", "调休上班日应为周六或周日"),
        ("", "该字段是必填项"),
        ("# only a comment", "请填写该年的放假和调休上班日期"),
    ],
)
def test_a_bad_entry_is_shown_on_its_field_and_writes_nothing(
    client, root, changes, django_capture_on_commit_callbacks, text, message
):
    client.force_login(root)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(YEAR_2027, {"days": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # On the field: the error list sits with the text area, which keeps what was typed.
    field = page[page.index('for="id_days"') :]
    assert field.index(message) < field.index("</textarea>")
    assert counts() == before
    assert changes == []


def test_a_year_the_package_covers_has_nothing_to_enter(client, root):
    client.force_login(root)
    page = client.get("/workdays/2026/")
    assert page.status_code == 200
    assert 'data-testid="covered"' in page.content.decode()
    assert "<textarea" not in page.content.decode()
    before = counts()
    refused = client.post("/workdays/2026/", {"days": "2026-10-01 休 国庆节"})
    assert refused.status_code == 400
    assert "不能手工录入" in refused.content.decode()  # the refusal, not only the notice
    assert counts() == before


def test_a_year_out_of_range_is_not_found(client, root):
    client.force_login(root)
    assert client.get("/workdays/1999/").status_code == 404
    assert client.get("/workdays/2101/").status_code == 404
