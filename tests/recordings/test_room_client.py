"""The room client shows the caucus recording policy to everyone and recording alerts to the
mediator (headless Chromium against a fake room socket, as tests/frontend does)."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.frontend.conftest import browser, context  # noqa: F401  (fixtures)
from tests.frontend.harness import open_room
from tests.frontend.test_room_client import APPLICANT, join_admitted


def test_the_caucus_policy_is_announced(context: BrowserContext) -> None:  # noqa: F811
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    join_admitted(page, server, me=APPLICANT)
    policy = page.get_by_test_id("caucus-policy")
    server.send({"type": "recording", "state": "on", "caucus_recorded": True})
    expect(policy).to_be_visible()
    expect(policy).to_have_text("Private sessions are recorded too")
    server.send({"type": "recording", "state": "on", "caucus_recorded": False})
    expect(policy).to_have_text("Private sessions are not recorded")
    # An alert for the mediator is never shown to a party, even if one arrived.
    server.send({"type": "recording_alert", "code": "spool_full", "message": "full"})
    expect(page.get_by_test_id("recording-alert")).to_be_hidden()


def test_a_recording_alert_is_shown_to_the_mediator(context: BrowserContext) -> None:  # noqa: F811
    page, server = open_room(
        context, role="mediator", participant_id="1", name="Mia", lang="zh-hans"
    )
    join_admitted(page, server)
    alert = page.get_by_test_id("recording-alert")
    expect(alert).to_be_hidden()
    server.send({"type": "recording_alert", "code": "spool_nearly_full", "message": "80%"})
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("录像缓存即将写满")
    page.get_by_test_id("recording-alert-dismiss").click()
    expect(alert).to_be_hidden()


def test_a_pause_asks_for_its_reason_and_everyone_sees_it(context: BrowserContext) -> None:  # noqa: F811
    page, server = open_room(context, role="mediator", participant_id="1", name="Mia")
    join_admitted(page, server)
    server.send(
        {
            "type": "recording",
            "state": "on",
            "caucus_recorded": False,
            "reason": "",
            "starts": "auto",
        }
    )
    expect(page.get_by_test_id("recording-stop-button")).to_have_count(0)  # the whole hearing
    page.get_by_test_id("recording-pause-button").click()
    page.get_by_test_id("confirm-button").click()  # no reason yet: nothing is sent
    expect(page.get_by_test_id("reason-error")).to_be_visible()
    page.get_by_test_id("reason-input").fill("  当事人要求休息 ")
    page.get_by_test_id("confirm-button").click()
    assert server.wait_for(page, "recording") == {
        "type": "recording",
        "action": "pause",
        "reason": "当事人要求休息",
    }
    server.send(
        {
            "type": "recording",
            "state": "paused",
            "caucus_recorded": False,
            "reason": "当事人要求休息",
            "starts": "auto",
        }
    )
    expect(page.get_by_test_id("recording-pause-reason")).to_contain_text("当事人要求休息")
    expect(page.get_by_test_id("recording-resume-button")).to_be_visible()


def test_the_mediator_policy_keeps_start_and_stop(context: BrowserContext) -> None:  # noqa: F811
    page, server = open_room(context, role="mediator", participant_id="1", name="Mia")
    join_admitted(page, server)
    server.send(
        {
            "type": "recording",
            "state": "on",
            "caucus_recorded": False,
            "reason": "",
            "starts": "mediator",
        }
    )
    expect(page.get_by_test_id("recording-stop-button")).to_be_visible()
