"""Password rules: 12 characters, not common, not like the person, not breached (a
k-anonymity range check against a local stand-in of the Pwned Passwords API)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accord.accounts.models import User
from accord.accounts.passwords import breach_count
from accord.accounts.services import staff_create
from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.demo import data as demo_data
from tests.accounts.conftest import PASSWORD, nothing_written
from tests.accounts.pwned_standin import PwnedStandIn, sha1_hex

BREACHED = "correct-horse-battery-1"


@pytest.fixture
def pwned(settings) -> Iterator[PwnedStandIn]:
    standin = PwnedStandIn(breached={BREACHED: 4211, "another one breached": 3}).start()
    settings.ACCORD_PWNED_PASSWORDS_URL = standin.url
    settings.ACCORD_PWNED_PASSWORDS_TIMEOUT_SECONDS = 1
    yield standin
    standin.stop()


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return [e.code or "" for e in exc.error_list]
    return []


def test_eleven_characters_are_too_short_twelve_are_enough(db):
    assert refusals("x7#kq9!mz2p") == ["password_too_short"]
    assert refusals("x7#kq9!mz2pw") == []


def test_a_common_password_is_refused(db):
    assert "password_too_common" in refusals("password1234")


def test_a_password_like_the_persons_name_is_refused(db):
    user = User(username="wangxiaoming", display_name="Wang Xiaoming")
    assert "password_too_similar" in refusals("wangxiaoming1", user=user)


def test_a_breached_password_is_refused_and_only_five_hex_digits_leave(pwned):
    assert refusals(BREACHED) == ["password_breached"]
    assert pwned.paths == [f"/range/{sha1_hex(BREACHED)[:5]}"]
    assert pwned.headers[0]["add-padding"] == "true"


def test_a_password_not_in_any_breach_passes_padding_lines_included(pwned):
    assert breach_count(PASSWORD) == 0
    assert refusals(PASSWORD) == []
    assert len(pwned.paths) == 2


def test_the_check_is_off_without_a_url(settings, db):
    settings.ACCORD_PWNED_PASSWORDS_URL = ""
    assert breach_count(BREACHED) is None
    assert refusals(BREACHED) == []


def test_an_unreachable_service_fails_open_with_a_warning(settings, caplog, db):
    standin = PwnedStandIn().start()
    url = standin.url
    standin.stop()
    settings.ACCORD_PWNED_PASSWORDS_URL = url
    with caplog.at_level(logging.WARNING, logger="accord.accounts.passwords"):
        assert refusals(BREACHED) == []
    assert "breached-password check skipped" in caplog.text


def test_a_slow_service_times_out_and_fails_open(pwned, caplog):
    pwned.delay = 3
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="accord.accounts.passwords"):
        assert refusals(BREACHED) == []
    assert time.monotonic() - started < 2.5
    assert "breached-password check skipped" in caplog.text


def test_an_error_answer_fails_open(pwned, caplog):
    pwned.status = 503
    with caplog.at_level(logging.WARNING, logger="accord.accounts.passwords"):
        assert refusals(BREACHED) == []
    assert "skipped" in caplog.text


def test_staff_create_refuses_a_weak_password_and_writes_nothing(db):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_create(username="erin", password="short", actor=Actor.system("tests"))
    assert caught.value.code == "password_weak"
    assert "password" in caught.value.fields


def test_staff_create_refuses_a_breached_password(pwned, db):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_create(username="erin", password=BREACHED, actor=Actor.system("tests"))
    assert caught.value.code == "password_weak"


def test_the_demo_password_and_the_test_password_pass_the_rules(db):
    assert refusals(demo_data.DEMO_PASSWORD, user=User(username="mediator")) == []
    assert refusals(PASSWORD, user=User(username="alice")) == []
