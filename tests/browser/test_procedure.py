"""The procedure of issue 11 in a browser, as its users click through it: the organization's
administrator assigns a mediator and is blocked by the conflict the mediator declared (the
page names the relationship), assigns another; the applicant signs in with a code texted to
their phone and applies for the mediator's recusal from the case page; the administrator
decides it from the organization's conflicts page; then suspends that mediator from the
roster pages, and the public roster, read signed out, shows the change at once."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.stack import BrowserStack
from tests.browser.test_replay import sign_in_staff
from tests.browser.test_scheduling import sms_to

pytestmark = pytest.mark.slow

ADMIN = "fmc-admin"  # the demo data's (accord.demo.data)
CONFLICTED = "李调解员"  # mediator-li: declares employment by the case's bank below
OTHER = "王调解员"  # mediator-wang
APPLICANT_PHONE = "13800000004"  # 赵六

# A fresh case of the demo applicant against the bank, accepted by the center; the first
# mediator declares (through the administrator) that the bank employed him until last year.
_SETUP = """
import datetime, json
from accord.accounts.models import User
from accord.core.crypto import lookup_hash
from accord.cases import services
from accord.cases.scope import CaseApplication
from accord.conflicts.services.relationships import RelationshipInput, relationship_declare
from accord.orgs.models import Organization
fmc = Organization.objects.get(code="FMC")
bank = Organization.objects.get(code="EXBANK")
applicant = User.objects.get(phone_lookup=lookup_hash("{phone}"))
admin = User.objects.get(username="{admin}")
case = services.case_apply(applicant=applicant, application=CaseApplication(
    organization=fmc, respondent=bank, applicant_type="natural_person",
    applicant_name="赵六", applicant_phone="{phone}", business_type="loan",
    description="贷款提前还款违约金争议。"))
services.case_accept(case=case, user=admin)
relationship_declare(
    mediator=User.objects.get(username="mediator-li"), organization=fmc, by=admin,
    data=RelationshipInput(kind="employment", institution=bank,
                           started_on=datetime.date(2010, 3, 1),
                           ended_on=datetime.date.today() - datetime.timedelta(days=300)))
print(json.dumps(dict(case_no=case.case_no)))
"""


def sign_in_applicant(page: Page, stack: BrowserStack, phone: str, next_path: str) -> None:
    page.goto(f"{stack.base_url}/en/accounts/signin/?next={next_path}")
    before = len(stack.sms_outbox())
    page.fill("input[name=phone]", phone)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/signin/code/**")
    code = sms_to(stack, phone, r"\b(\d{6})\b", before)
    page.fill("input[name=code]", code.group(1))
    page.locator("button[name=verify]").click()
    page.wait_for_url(f"**{next_path}")


def assign(page: Page, mediator: str) -> None:
    form = page.get_by_test_id("action-assigned")
    form.locator("select[name=mediator]").select_option(label=mediator)
    form.locator("button[type=submit]").click()


def test_conflict_blocks_an_assignment_a_recusal_is_decided_and_the_roster_follows(
    stack: BrowserStack, browser: Browser
) -> None:
    setup = json.loads(
        stack.accord(
            "shell",
            "-c",
            _SETUP.replace("{phone}", APPLICANT_PHONE).replace("{admin}", ADMIN),
        )
        .strip()
        .splitlines()[-1]
    )
    case_no = str(setup["case_no"])
    case_path = f"/en/cases/{case_no}/"
    admin_context = browser.new_context()
    applicant_context = browser.new_context()
    visitor_context = browser.new_context()
    try:
        # The administrator: the case page, "Assign a mediator" with the conflicted one.
        admin = admin_context.new_page()
        sign_in_staff(admin, stack.base_url, ADMIN, case_path)
        expect(admin.locator("h1 .badge")).to_have_text("Accepted")
        assign(admin, CONFLICTED)
        error = admin.get_by_test_id("mediator-error")
        expect(error).to_contain_text("示例商业银行")  # the relationship, named
        expect(error).to_contain_text("Employ")
        expect(admin.get_by_test_id("override-fields")).to_be_visible()
        expect(admin.locator("h1 .badge")).to_have_text("Accepted")  # nothing changed
        assign(admin, OTHER)
        expect(admin.locator("h1 .badge")).to_have_text("Mediator assigned")
        expect(admin.locator(".case-summary")).to_contain_text(OTHER)

        # The applicant: signs in by SMS code, finds the case in their list, applies.
        applicant = applicant_context.new_page()
        sign_in_applicant(applicant, stack, APPLICANT_PHONE, "/en/cases/")
        applicant.get_by_role("link", name=case_no).first.click()
        applicant.wait_for_url(f"**{case_path}")
        section = applicant.get_by_test_id("recusal-section")
        section.get_by_text("Apply for the recusal of the mediator").click()
        form = section.get_by_test_id("recusal-apply-form")
        form.locator("textarea[name=grounds]").fill("调解员曾在被申请银行任职，担心影响公正。")
        form.locator("button[type=submit]").click()
        expect(applicant.get_by_test_id("recusal-pending")).to_be_visible()

        # The administrator decides it from the organization's conflicts page.
        admin.locator("nav.site-nav").get_by_role("link", name="Organization").click()
        admin.get_by_test_id("conflicts-link").click()
        pending = admin.get_by_test_id("pending-recusals")
        expect(pending).to_contain_text(case_no)
        pending.get_by_role("link", name="Decide").first.click()
        decision = admin.get_by_test_id("decision-form")
        decision.locator("input[name=decision][value=granted]").check()
        decision.locator("textarea[name=reason]").fill("申请理由成立，调解员回避。")
        decision.locator("button[type=submit]").click()
        admin.goto(f"{stack.base_url}{case_path}")
        expect(admin.locator("h1 .badge")).to_have_text("Accepted")
        expect(admin.locator(".case-summary")).not_to_contain_text(OTHER)
        expect(admin.locator("ol.timeline")).to_contain_text("Recusal granted")

        # The applicant's page says so; the public roster shows the mediator as active…
        applicant.reload()
        expect(applicant.locator("h1 .badge")).to_have_text("Accepted")
        visitor = visitor_context.new_page()
        visitor.goto(f"{stack.base_url}/en/mediators/?org=FMC")
        row = visitor.get_by_test_id("roster-mediator").filter(has_text=OTHER)
        expect(row).to_contain_text("Active")

        # …until the administrator suspends him from the roster pages, by clicking.
        admin.locator("nav.site-nav").get_by_role("link", name="Organization").click()
        admin.get_by_test_id("mediator-roster-link").click()
        admin.get_by_role("link", name=OTHER).first.click()
        admin.get_by_role("link", name="Suspend or reinstate").click()
        admin.locator("input[name=status][value=suspended]").check()
        admin.locator("textarea[name=reason]").fill("回避事项核查期间暂停。")
        admin.locator("main form button[type=submit]").click()
        expect(admin.get_by_test_id("profile-status")).to_contain_text("Suspended")
        visitor.reload()
        row = visitor.get_by_test_id("roster-mediator").filter(has_text=OTHER)
        expect(row).to_contain_text("Suspended")
        # No contact data on the public page.
        assert "138000" not in visitor.content()
    finally:
        for context in (admin_context, applicant_context, visitor_context):
            context.close()
