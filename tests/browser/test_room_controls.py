"""Room features over the real signaling consumer (no media needed): the waiting room and
admission, chat, raised hands, the recording indicator everyone sees, and ending the session
with an in-page confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def test_chat_reaches_everyone_in_the_room(hearing) -> None:
    _mediator, applicant, _respondent = hearing

    applicant.page.get_by_test_id("chat-input").fill("我同意分期还款")
    applicant.page.get_by_test_id("chat-send").click()

    for person in hearing:
        expect(person.page.get_by_test_id("chat-list")).to_contain_text("我同意分期还款")


def test_a_raised_hand_shows_on_the_mediators_screen(hearing) -> None:
    mediator, _applicant, respondent = hearing

    respondent.page.get_by_test_id("hand-button").click()

    tile = mediator.page.locator(
        f'[data-testid=participant-tile][data-participant-id="{respondent.participant_id}"]'
    )
    expect(tile).to_have_class(re.compile(r"\bhand\b"))


def test_everyone_sees_the_recording_state(hearing) -> None:
    mediator, _applicant, _respondent = hearing

    # Nobody pressed start: admitting the first party started it (the default policy).
    for person in hearing:
        expect(person.page.get_by_test_id("recording-indicator")).to_have_attribute(
            "data-state", "on"
        )
    expect(mediator.page.get_by_test_id("recording-stop-button")).to_have_count(0)
    mediator.page.get_by_test_id("recording-pause-button").click()
    mediator.page.get_by_test_id("reason-input").fill("休息五分钟")
    mediator.page.get_by_test_id("confirm-button").click()
    for person in hearing:
        expect(person.page.get_by_test_id("recording-indicator")).to_have_attribute(
            "data-state", "paused"
        )
        expect(person.page.get_by_test_id("recording-pause-reason")).to_contain_text("休息五分钟")


def test_the_mediator_ends_the_session_for_everyone(hearing) -> None:
    mediator, applicant, _respondent = hearing
    expect(applicant.page.get_by_test_id("end-session-button")).to_have_count(0)

    mediator.page.get_by_test_id("end-session-button").click()
    mediator.page.get_by_test_id("confirm-button").click()

    for person in hearing:
        expect(person.page.get_by_test_id("final-screen")).to_be_visible()
