"""A small claim from the application to a sealed agreement, in a browser: the consumer applies
on a phone, signed in by a code texted to them; the center accepts and assigns (services); the
case page says it is within the center's memorandum with the bank; the mediator issues a
proposal citing its grounds; the consumer accepts it on the phone, reads the agreement drawn up
from it (its SHA-256 on the page) and signs with the code texted to them and a signature drawn
with a finger; the bank's staff member and the mediator sign too; the organization's seal is
applied by the stack's Celery worker with the stack's timestamp authority, and the sealed PDF
the consumer downloads validates with pyHanko against the stack's development CA."""

from __future__ import annotations

import io
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.browser.mediators import new_mediator
from tests.browser.stack import BrowserStack
from tests.browser.test_procedure import sign_in_applicant
from tests.browser.test_replay import sign_in_staff
from tests.browser.test_scheduling import sms_to

pytestmark = pytest.mark.slow

APPLICANT_PHONE = "13800000002"  # 李四, the demo data's (accord.demo.data)
MEDIATOR, MEDIATOR_PHONE = "mediator-sc", "13900000201"  # made by the test
STAFF = "bank-staff"

# What the center does between the application and the hearing (pages tested elsewhere).
_ACCEPT = """
from accord.accounts.models import User
from accord.cases import services
from accord.cases.models import Case
case = Case.objects.get(case_no="{case_no}")
admin = User.objects.get(username="fmc-admin")
mediator = User.objects.get(username="{mediator}")
services.case_accept(case=case, user=admin)
services.case_assign_mediator(case=case, user=admin, mediator=mediator)
services.case_start_mediation(case=case, user=mediator)
"""


def sign(page: Page, stack: BrowserStack, phone: str, side: str, *, draw: bool = False) -> None:
    """On the signing page: ask for the code, type it, optionally draw, sign."""
    shown = page.get_by_test_id("version-sha256").text_content() or ""
    assert len(shown.strip()) == 64
    before = len(stack.sms_outbox())
    page.get_by_test_id("request-code").click()
    code = sms_to(stack, phone, r"\b(\d{6})\b", before).group(1)
    page.get_by_test_id("sign-code").fill(code)
    if draw:
        canvas = page.get_by_test_id("signature-canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        x, y = box["x"], box["y"]
        page.mouse.move(x + 20, y + box["height"] / 2)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(x + 20 + step * 25, y + box["height"] / 2 + (-1) ** step * 20)
        page.mouse.up()
        expect(page.locator("#id_image")).not_to_have_value("")
    page.get_by_test_id("sign").click()
    status = page.get_by_test_id("signed-status").locator(f"[data-side={side}]")
    expect(status).to_have_attribute("data-signed", "yes")


def validated(pdf: bytes, ca: Path) -> PdfSignatureStatus:
    """pyHanko's validation of the seal against the stack's CA, in a thread of its own:
    pyHanko runs an event loop, and Playwright's is running in this one."""

    def run() -> PdfSignatureStatus:
        context = ValidationContext(
            trust_roots=[load_cert_from_pemder(str(ca))], allow_fetching=False
        )
        reader = PdfFileReader(io.BytesIO(pdf))
        return validate_pdf_signature(reader.embedded_regular_signatures[0], context, context)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_a_small_claim_from_the_application_to_a_sealed_agreement(
    stack: BrowserStack, browser: Browser, tmp_path
) -> None:
    new_mediator(stack, MEDIATOR, "孙调解员", MEDIATOR_PHONE)
    # A phone-sized touch screen.
    consumer_context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    mediator_context = browser.new_context()
    staff_context = browser.new_context()
    try:
        # The consumer applies on a phone.
        consumer = consumer_context.new_page()
        sign_in_applicant(consumer, stack, APPLICANT_PHONE, "/en/cases/apply/")
        form = consumer.locator("main form").first
        form.locator("select[name=organization]").select_option(label="示例市金融纠纷调解中心")
        form.locator("select[name=respondent]").select_option(label="示例商业银行股份有限公司")
        form.locator("select[name=business_type]").select_option("bank_card")
        form.locator("input[name=amount]").fill("3000")
        form.locator("textarea[name=description]").fill("信用卡在境外被盗刷3000元，银行拒绝退款。")
        form.locator("textarea[name=claims]").fill("退还被盗刷的3000元。")
        form.locator("button[type=submit]").last.click()
        consumer.wait_for_url("**/en/cases/FMC-*/")
        case_no = consumer.url.rstrip("/").rsplit("/", 1)[-1]
        case_path = f"/en/cases/{case_no}/"
        stack.accord(
            "shell", "-c", _ACCEPT.replace("{case_no}", case_no).replace("{mediator}", MEDIATOR)
        )

        # The mediator: the case is eligible; the proposal with its grounds.
        mediator = mediator_context.new_page()
        sign_in_staff(mediator, stack.base_url, MEDIATOR, case_path)
        eligibility = mediator.get_by_test_id("smallclaim-eligibility")
        expect(eligibility).to_have_attribute("data-verdict", "eligible")
        toggle = mediator.get_by_test_id("proposal-form-toggle")
        form = mediator.get_by_test_id("proposal-form")
        if not form.is_visible():
            toggle.click()
        form.locator("input[name=amount]").fill("2400")
        form.locator("textarea[name=facts]").fill("申请人信用卡在境外被盗刷3000元，当日挂失。")
        form.locator("textarea[name=dispute]").fill("银行是否应承担盗刷损失。")
        form.locator("textarea[name=terms]").fill("被申请人向申请人支付补偿款2400元。")
        form.locator("select[name=ground_kind_0]").select_option("judicial_interpretation")
        form.locator("input[name=ground_citation_0]").fill(
            "《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》第七条"
        )
        mediator.get_by_test_id("proposal-submit").click()
        expect(mediator.get_by_test_id("proposal").first).to_have_attribute("data-status", "issued")

        # The consumer accepts on the phone and signs the agreement drawn up from it.
        consumer.goto(f"{stack.base_url}{case_path}")
        proposal = consumer.get_by_test_id("proposal").first
        expect(proposal).to_have_attribute("data-status", "issued")
        consumer.get_by_test_id("proposal-accept").click()
        expect(consumer.get_by_test_id("proposal").first).to_have_attribute(
            "data-status", "accepted"
        )
        consumer.get_by_test_id("agreement-to-sign").click()
        consumer.wait_for_url("**/sign/**")
        sign(consumer, stack, APPLICANT_PHONE, "applicant", draw=True)
        sign_path = consumer.url.removeprefix(stack.base_url)

        # The bank's staff and the mediator sign from the case page.
        # The number on file now (the scheduling test enters another one for this account).
        staff_phone = (
            stack.accord(
                "shell",
                "-c",
                "from accord.accounts.models import User; "
                f"print(User.objects.get(username='{STAFF}').phone)",
            )
            .strip()
            .splitlines()[-1]
        )
        staff = staff_context.new_page()
        sign_in_staff(staff, stack.base_url, STAFF, case_path)
        staff.get_by_test_id("sign-link").first.click()
        sign(staff, stack, staff_phone, "institution")
        mediator.goto(f"{stack.base_url}{case_path}")
        mediator.get_by_test_id("sign-link").first.click()
        sign(mediator, stack, MEDIATOR_PHONE, "mediator")

        # The seal, applied in the background; the consumer reloads until it is there.
        consumer.goto(f"{stack.base_url}{sign_path}")
        sealed = consumer.get_by_test_id("sealed-pdf")
        for _ in range(60):
            if sealed.count():
                break
            consumer.wait_for_timeout(1000)
            consumer.reload()
        expect(sealed).to_be_visible()
        response = consumer.request.get(f"{stack.base_url}{sealed.get_attribute('href')}")
        assert response.status == 200
        pdf = response.body()
        status = validated(pdf, stack.work_dir / "pki" / "ca.pem")
        assert status.intact and status.valid and status.trusted
        assert status.timestamp_validity is not None
        path = tmp_path / "agreement.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert case_no in text and "调解协议书" in text and "李四" in text
        summary = json.loads(
            stack.accord(
                "shell",
                "-c",
                "import json; from accord.smallclaims.models import Proposal; "
                f"p = Proposal.objects.get(case__case_no='{case_no}'); "
                "print(json.dumps(dict(status=p.status)))",
            )
            .strip()
            .splitlines()[-1]
        )
        assert summary == {"status": "accepted"}
    finally:
        for context in (consumer_context, mediator_context, staff_context):
            context.close()
