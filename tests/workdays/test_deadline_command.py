"""`accord deadline`: the due date and whether it is provisional; bad input is a clear error
with a non-zero exit and nothing on stdout."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accord.workdays.services import calendar_year_enter
from tests.workdays.conftest import counts, days_2027


def deadline(*args: str) -> str:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_json_gives_exactly_the_due_date_and_the_flag(db):
    output = deadline("--from", "2026-09-30", "--working-days", "3", "--json")
    assert json.loads(output) == {"due": "2026-10-10", "provisional": False}
    assert output.strip() == '{"due": "2026-10-10", "provisional": false}'


def test_calendar_days_the_same_way(db):
    output = deadline("--from", "2026-09-25", "--days", "10", "--json")
    assert json.loads(output) == {"due": "2026-10-08", "provisional": False}


def test_a_due_date_in_2027_is_provisional_until_2027_is_entered(root_actor):
    args = ("--from", "2026-12-30", "--working-days", "3", "--json")
    assert json.loads(deadline(*args)) == {"due": "2027-01-04", "provisional": True}
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    assert json.loads(deadline(*args)) == {"due": "2027-01-05", "provisional": False}


def test_the_text_output_says_why_a_date_is_provisional(db):
    output = deadline("--from", "2026-12-30", "--working-days", "3")
    assert output.splitlines()[0] == "due 2027-01-04"
    assert "provisional: no holiday data for 2027" in output
    assert deadline("--from", "2026-09-30", "--days", "1").splitlines() == [
        "due 2026-10-08",
        "exact",
    ]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--from", "2026-13-01", "--working-days", "3"], "not a date"),
        (["--from", "2026-9-30", "--working-days", "3"], "not a date"),
        (["--from", "yesterday", "--days", "3"], "not a date"),
        (["--from", "2026-09-30", "--working-days", "-1"], "must be from 1"),
        (["--from", "2026-09-30", "--days", "0"], "must be from 1"),
        (["--from", "2026-09-30", "--days", "three"], "not a whole number"),
        (["--from", "2026-09-30", "--working-days", "3", "--days", "3"], "not allowed with"),
        (["--from", "2026-09-30"], "one of the arguments"),
        (["--working-days", "3"], "--from"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(db, args, reason):
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("deadline", *args, stdout=out)
    assert reason in str(refused.value)
    assert out.getvalue() == ""
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_the_console_script_prints_json_and_exits_non_zero_on_bad_input():
    if connection.vendor != "postgresql":
        pytest.skip("the console script is exercised against the PostgreSQL test database")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
    }
    accord = Path(sys.executable).parent / "accord"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [accord, "deadline", *args], env=env, capture_output=True, text=True, timeout=60
        )

    good = run("--from", "2025-09-30", "--working-days", "3", "--json")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == '{"due": "2025-10-11", "provisional": false}'

    for bad in (
        ("--from", "2025-02-30", "--working-days", "3", "--json"),
        ("--from", "2025-09-30", "--working-days", "-2", "--json"),
        ("--from", "2025-09-30", "--json"),
        ("--from", "2025-09-30", "--days", "1", "--working-days", "1", "--json"),
    ):
        result = run(*bad)
        assert result.returncode != 0, bad
        assert result.stdout == ""
        assert "error" in result.stderr
