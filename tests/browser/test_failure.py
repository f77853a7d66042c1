"""An ordinary case that ends without agreement, in a browser: the mediator records the failure
on the case page, issues the failure notice with the organization's advice and the routes, and
records the referral to litigation through the green channel; the applicant, signed in by a
code texted to their phone, reads the advice on the case page and downloads the notice, whose
text (pdftotext) is the case's, in Chinese."""

from __future__ import annotations

import json
import subprocess

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.mediators import new_mediator
from tests.browser.stack import BrowserStack
from tests.browser.test_procedure import sign_in_applicant
from tests.browser.test_replay import sign_in_staff

pytestmark = pytest.mark.slow

MEDIATOR = "mediator-fn"  # made by the test
APPLICANT_PHONE = "13800000003"  # 王五
ADVICE = "建议申请人保留购买理财产品时的录音录像资料，可向人民法院提起诉讼。"

# A fresh case of the demo applicant against the bank, accepted, assigned and in mediation.
_SETUP = """
import json
from decimal import Decimal
from accord.accounts.models import User
from accord.core.crypto import lookup_hash
from accord.cases import services
from accord.cases.scope import CaseApplication
from accord.orgs.models import Organization
fmc = Organization.objects.get(code="FMC")
applicant = User.objects.get(phone_lookup=lookup_hash("{phone}"))
admin = User.objects.get(username="fmc-admin")
mediator = User.objects.get(username="{mediator}")
case = services.case_apply(applicant=applicant, application=CaseApplication(
    organization=fmc, respondent=Organization.objects.get(code="EXBANK"),
    applicant_type="natural_person", applicant_name="王五", applicant_phone="{phone}",
    business_type="wealth_management", amount=Decimal("86000.00"),
    description="理财产品风险等级与销售时的宣传不符。"))
services.case_accept(case=case, user=admin)
services.case_assign_mediator(case=case, user=admin, mediator=mediator)
services.case_start_mediation(case=case, user=mediator)
print(json.dumps(dict(case_no=case.case_no)))
"""


def test_an_ordinary_case_ends_with_a_failure_notice_and_a_referral(
    stack: BrowserStack, browser: Browser, tmp_path
) -> None:
    new_mediator(stack, MEDIATOR, "钱调解员", "13900000202")
    script = _SETUP.replace("{phone}", APPLICANT_PHONE).replace("{mediator}", MEDIATOR)
    setup = json.loads(stack.accord("shell", "-c", script).strip().splitlines()[-1])
    case_no = str(setup["case_no"])
    case_path = f"/en/cases/{case_no}/"
    mediator_context = browser.new_context()
    applicant_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        mediator = mediator_context.new_page()
        sign_in_staff(mediator, stack.base_url, MEDIATOR, case_path)
        failed = mediator.get_by_test_id("action-failed")
        summary = failed.locator("summary")
        if summary.count():  # a refusing step asks for confirmation first
            summary.click()
        failed.locator("textarea[name=reason]").fill("双方对赔偿比例分歧较大，无法达成一致。")
        failed.locator("button[type=submit]").click()
        expect(mediator.locator("h1 .badge")).to_have_text("Mediation failed")

        # The notice: an empty advice is refused on its field, then the real one.
        mediator.get_by_test_id("issue-failure-notice").click()
        form = mediator.get_by_test_id("failure-notice-form")
        form.locator("button[type=submit]").click()
        expect(form.locator(".errorlist")).to_be_visible()
        form = mediator.get_by_test_id("failure-notice-form")
        form.locator("textarea[name=advice]").fill(ADVICE)
        form.locator("button[type=submit]").click()
        mediator.wait_for_url(f"**{case_path}*")
        notice = mediator.get_by_test_id("failure-notice")
        expect(notice).to_contain_text(ADVICE)

        # The referral to litigation through the court's green channel.
        notice.get_by_test_id("record-referral").click()
        form = mediator.get_by_test_id("failure-referral-form")
        form.locator("select[name=route]").select_option("litigation")
        form.locator("select[name=to]").select_option(label="示例市中级人民法院")
        form.locator("input[name=green_channel]").check()
        form.locator("button[type=submit]").click()
        referral = mediator.get_by_test_id("failure-referral")
        expect(referral).to_have_attribute("data-green-channel", "true")
        expect(mediator.get_by_test_id("green-channel")).to_be_visible()

        # The applicant, on a phone: the advice on the case page, the notice as a PDF.
        applicant = applicant_context.new_page()
        sign_in_applicant(applicant, stack, APPLICANT_PHONE, "/en/cases/")
        applicant.get_by_role("link", name=case_no).first.click()
        applicant.wait_for_url(f"**{case_path}")
        expect(applicant.get_by_test_id("failure-notice")).to_contain_text(ADVICE)
        link = applicant.locator("[data-testid=document][data-kind=failure_notice] a").first
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        assert href
        response = applicant.request.get(f"{stack.base_url}{href}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        pdf = tmp_path / "notice.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert case_no in text
        assert "王五" in text and "示例商业银行" in text
        assert "仲裁" in text and "诉讼" in text
    finally:
        for context in (mediator_context, applicant_context):
            context.close()
