"""The text the year form takes: one line per day or range, as the notice reads; and the text
the page shows back, which reads the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accord.workdays.forms import format_days, parse_days
from accord.workdays.services import DayEntry
from tests.workdays.conftest import TEXT_2027, days_2027

D = dt.date


def test_the_notice_as_typed_gives_its_days():
    assert parse_days(TEXT_2027) == days_2027()


@pytest.mark.parametrize(
    "line",
    [
        "2027-02-06~2027-02-08 休 春节",
        "2027-02-06 ~ 2027-02-08 休 春节",
        "2027-02-06..2027-02-08 holiday 春节",
        "2027-02-06至2027-02-08 休 春节",
        "2027-02-06 至 2027-02-08 Off 春节",
    ],
)
def test_a_range_may_be_written_several_ways(line):
    assert [d.date for d in parse_days(line)] == [D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]
    assert {d.kind for d in parse_days(line)} == {"holiday"}


def test_blank_and_comment_lines_are_skipped_and_the_name_is_optional():
    assert parse_days("\n# 通知\n  2027-02-20 work  \n") == [
        DayEntry(date=D(2027, 2, 20), kind="working_day", name="")
    ]


def test_every_bad_line_is_named_with_its_number():
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        parse_days("2027-01-01 休 元旦\n2027-1-2 休\n2027-01-03 rest\n2027-03-01~2027-05-01 休")
    messages = refused.value.messages
    assert len(messages) == 3
    assert messages[0].startswith("Line 2 (2027-1-2 休)")
    assert messages[1].startswith("Line 3 (2027-01-03 rest)")
    assert messages[2].startswith("Line 4 ")


def test_the_text_shown_back_reads_the_same_in_either_language():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = format_days(days_2027())
        assert parse_days(text) == days_2027()
    with translation.override("zh-hans"):
        assert format_days(days_2027()).splitlines() == [
            "2027-01-01 休 元旦",
            "2027-02-06~2027-02-14 休 春节",
            "2027-02-20 班 春节",
            "2027-10-01~2027-10-07 休 国庆节",
            "2027-10-09 班 国庆节",
        ]
