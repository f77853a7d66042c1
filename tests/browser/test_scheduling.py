"""The slice a new user reaches without `accord demo-session` (issue 9): the mediator signs in
and schedules a hearing from the case page by clicking; the applicant joins through the
one-time link the SMS brought (and the code the next SMS brought), the bank's staff member
through the hearing's address in their SMS notice and the staff sign-in; the mediator admits
them; nobody presses start — the organization's policy records by itself — and the mediator
ends the hearing. Every participant's recording exists and decodes, and an auditor reaches
its replay by clicking: sign in → case list → case → the hearing's replay."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.people import Person, admit, join_from_check, new_page, poll
from tests.browser.recordings import (
    decode_errors,
    read_object,
    recorded,
    stream_kinds,
    wait_manifest,
)
from tests.browser.stack import BrowserStack
from tests.browser.test_recording import end, everyone_sees_everyone, session_of
from tests.browser.test_replay import AUDITOR, sign_in_staff

pytestmark = pytest.mark.slow

MEDIATOR = "mediator-li"  # the demo data's (accord.demo.data)
STAFF = "bank-staff"
STAFF_PHONE = "13700009001"
TIME_ZONE = ZoneInfo("Asia/Shanghai")  # the stack's ACCORD_TIME_ZONE default

# A mediating demo case of the mediator with the bank as respondent; the bank's staff member
# gets a mobile number on file (the demo's staff have none), as an administrator would enter it.
_SETUP = """
import json
from accord.accounts.models import User
from accord.cases.models import Case
case = Case.objects.filter(
    state="mediating", mediator__username="{mediator}", respondent__code="EXBANK"
).order_by("id").first()
staff = User.objects.get(username="{staff}")
staff.phone = "{phone}"
staff.save(update_fields=["phone", "phone_lookup"])
print(json.dumps(dict(case_no=case.case_no, applicant=case.applicant_id,
                      applicant_name=str(case.applicant), applicant_phone=case.applicant.phone,
                      staff=staff.pk)))
"""


def sms_to(stack: BrowserStack, phone: str, pattern: str, after: int = 0) -> re.Match[str]:
    """The first match of `pattern` in an SMS to `phone` among those sent after the first
    `after` messages, waiting for it to arrive."""
    found: list[re.Match[str]] = []

    def arrived() -> bool:
        for message in stack.sms_outbox()[after:]:
            match = re.search(pattern, message["body"])
            if message["phone"] == phone and match:
                found.append(match)
                return True
        return False

    poll(arrived, f"an SMS to {phone} matching {pattern}", timeout=30)
    return found[0]


def schedule_from_the_case_page(page: Page, case_no: str, setup: dict[str, object]) -> str:
    page.get_by_test_id("schedule-hearing").click()
    page.wait_for_url("**/schedule/")
    expect(page.get_by_test_id("recording-policy")).to_be_visible()
    start = datetime.now(TIME_ZONE) + timedelta(minutes=2)
    page.fill("input[name=scheduled_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=duration_minutes]", "60")
    page.fill("input[name=join_opens_minutes]", "15")
    page.get_by_test_id(f"take-{setup['applicant']}").check()
    page.get_by_test_id(f"take-{setup['staff']}").check()
    page.select_option(f"select[name=role_{setup['staff']}]", "respondent")
    page.get_by_test_id("schedule-submit").click()
    page.wait_for_url("**/manage/")
    session_id = urlsplit(page.url).path.rstrip("/").split("/")[-2]
    expect(
        page.locator(f'tr:has-text("{setup["applicant_name"]}") [data-testid=link-state]')
    ).to_have_attribute("data-state", "sent")
    return session_id


def test_a_hearing_scheduled_from_the_case_page_records_by_itself_and_is_replayed(
    stack: BrowserStack, browser: Browser
) -> None:
    setup = json.loads(
        stack.accord(
            "shell",
            "-c",
            _SETUP.replace("{mediator}", MEDIATOR)
            .replace("{staff}", STAFF)
            .replace("{phone}", STAFF_PHONE),
        )
        .strip()
        .splitlines()[-1]
    )
    case_no = str(setup["case_no"])
    applicant_phone = str(setup["applicant_phone"])
    people: list[Person] = []
    contexts = []
    try:
        # The mediator signs in, opens the case and schedules a hearing by clicking.
        context, page, console = new_page(browser)
        contexts.append(context)
        sign_in_staff(page, stack.base_url, MEDIATOR, f"/en/cases/{case_no}/")
        sent_before = len(stack.sms_outbox())
        session_id = schedule_from_the_case_page(page, case_no, setup)
        # …then enters it from the hearing page.
        page.get_by_role("link", name=re.compile("Hearing page")).click()
        page.locator(f'a[href$="/rooms/{session_id}/check/"]').click()
        mediator = join_from_check(context, page, console)
        people.append(mediator)

        # The applicant: the one-time link from the SMS, then the code from the next SMS.
        link = sms_to(stack, applicant_phone, r"https?://\S+/join/\S+/", sent_before)
        context, page, console = new_page(browser)
        contexts.append(context)
        page.goto(link.group(0))
        codes_before = len(stack.sms_outbox())
        page.locator("button[name=send]").click()
        code = sms_to(stack, applicant_phone, r"\b(\d{6})\b", codes_before)
        page.fill("input[name=code]", code.group(1))
        page.locator("button[name=verify]").click()
        applicant = join_from_check(context, page, console)
        people.append(applicant)

        # The bank's staff member: the hearing's address from the SMS notice, staff sign-in.
        notice = sms_to(stack, STAFF_PHONE, rf"https?://\S+/rooms/{session_id}/", sent_before)
        context, page, console = new_page(browser)
        contexts.append(context)
        sign_in_staff(page, stack.base_url, STAFF, urlsplit(notice.group(0)).path)
        page.locator(f'a[href$="/rooms/{session_id}/check/"]').click()
        respondent = join_from_check(context, page, console)
        people.append(respondent)

        for party in (applicant, respondent):
            expect(party.page.get_by_test_id("waiting-room")).to_be_visible(timeout=15_000)
            admit(mediator, party)
            expect(party.page.locator("#room")).to_have_attribute(
                "data-phase", "room", timeout=15_000
            )
        assert session_of(mediator) == session_id
        everyone_sees_everyone(tuple(people))
        # Nobody presses start: the policy started recording when the first party came in.
        expect(mediator.page.get_by_test_id("recording-indicator")).to_have_attribute(
            "data-state", "on", timeout=15_000
        )
        mediator.page.wait_for_timeout(12_000)
        end(mediator)

        # Each participant's recording exists and decodes, both streams.
        manifest = wait_manifest(stack, session_id)
        rec = recorded(stack, session_id)
        ids = {p.participant_id for p in people}
        assert {s["participant"] for s in rec.segments} == ids
        finals = [f for f in manifest["files"] if f["source"] == "av"]
        assert {f["participant"] for f in finals} == ids
        with tempfile.TemporaryDirectory() as tmp:
            for file in finals:
                path = Path(tmp) / "final.webm"
                path.write_bytes(read_object(stack, file["key"]))
                assert decode_errors(str(path)) == "", file["key"]
                assert stream_kinds(str(path)) == ["audio", "video"]
        # The trace names nobody by phone.
        dumped = json.dumps(rec.events, ensure_ascii=False)
        assert applicant_phone not in dumped and STAFF_PHONE not in dumped

        # An auditor reaches the replay by clicking: case list → case → the hearing's replay.
        context, page, console = new_page(browser)
        contexts.append(context)
        sign_in_staff(page, stack.base_url, AUDITOR, "/en/cases/")
        # The landing page previews a few; the full list is newest first and paged, so the
        # auditor opens it and looks the case up by its number.
        page.get_by_test_id("audit-preview").get_by_role("link", name="with filters").click()
        page.wait_for_url("**/cases/audit/")
        page.locator("form[role=search] input[name=q]").fill(case_no)
        page.locator("form[role=search] button[type=submit]").click()
        page.get_by_role("link", name=case_no, exact=True).click()
        page.wait_for_url(f"**/cases/{case_no}/")
        hearing = page.locator(f'[data-testid=hearing][data-session-id="{session_id}"]')
        hearing.get_by_test_id("replay-link").click()
        page.wait_for_url(f"**/cases/{case_no}/sessions/{session_id}/replay/")
        expect(page.locator("#replay-data")).to_be_attached()
        page.go_back()
        expect(page.get_by_test_id("verify-link")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
