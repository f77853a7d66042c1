"""`accord demo-agreement [--json]`: walk one demo small-claim case from the application to the
sealed agreement, through the same services the pages use, so that a new user sees one at once.

Demo data only (``ACCORD_DEMO=1`` and the seeded demo world): the applicant 张三 applies
against the demo bank, the center accepts and assigns 王调解员, who issues a small-claim
proposal under the center's memorandum with the bank; the applicant accepts it, which draws up
the agreement; the applicant, the bank's staff member and the mediator each sign it with the
code texted to them (read here from an in-process outbox instead of the demo SMS backend), and
the organization's seal is applied with the development PKI and timestamp authority (`make up`
runs it). Prints the case number and the sealed PDF's address.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.urls import reverse

from accord.accounts import sms
from accord.accounts.models import User
from accord.cases import services as cases
from accord.cases.models import ApplicantType, BusinessType
from accord.cases.scope import CaseApplication
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash
from accord.demo import data
from accord.documents.models import DocumentVersion, VersionStatus
from accord.documents.signing import document_seal, document_sign, signing_code_request
from accord.orgs.models import Organization
from accord.smallclaims.drafting import Ground
from accord.smallclaims.services.proposals import ProposalInput, proposal_accept, proposal_issue

APPLICANT_PHONE = data.APPLICANTS[0][0]
MEDIATOR = "mediator-wang"
INSTITUTION_STAFF = "bank-staff"
ADMIN = "fmc-admin"


class Command(BaseCommand):
    help = "Walk a demo small-claim case to a sealed agreement (demo data only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ACCORD_DEMO:
            raise CommandError("demo-agreement runs only with ACCORD_DEMO=1 (demo data)")
        try:
            fmc = Organization.objects.get(code="FMC")
            bank = Organization.objects.get(code="EXBANK")
            applicant = User.objects.get(phone_lookup=lookup_hash(APPLICANT_PHONE))
            admin = User.objects.get(username=ADMIN)
            mediator = User.objects.get(username=MEDIATOR)
            staff = User.objects.get(username=INSTITUTION_STAFF)
        except (Organization.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError("the demo data is missing: run `accord seed-demo` first") from exc
        try:
            version = self._walk(fmc, bank, applicant, admin, mediator, staff)
        except ServiceError as exc:
            raise CommandError(f"refused ({exc.code}): {exc}") from exc
        case_no = version.document.case.case_no
        path = reverse(
            "documents:sealed_pdf", kwargs={"case_no": case_no, "version_uuid": version.uuid}
        )
        result = {
            "case_no": case_no,
            "document": f"{settings.ACCORD_BASE_URL}{path}",
            "sealed_sha256": version.sealed_sha256,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"case {case_no}: sealed agreement {result['document']}")

    def _walk(
        self,
        fmc: Organization,
        bank: Organization,
        applicant: User,
        admin: User,
        mediator: User,
        staff: User,
    ) -> DocumentVersion:
        case = cases.case_apply(
            applicant=applicant,
            application=CaseApplication(
                organization=fmc,
                respondent=bank,
                applicant_type=ApplicantType.NATURAL_PERSON,
                applicant_name=data.APPLICANTS[0][1],
                applicant_phone=APPLICANT_PHONE,
                business_type=BusinessType.BANK_CARD,
                description="信用卡被盗刷后银行拒绝退还已扣划的款项。",
                amount=Decimal("2600.00"),
                claims="退还被盗刷款项2600元。",
            ),
        )
        cases.case_accept(case=case, user=admin)
        cases.case_assign_mediator(case=case, user=admin, mediator=mediator)
        cases.case_start_mediation(case=case, user=mediator)
        proposal = proposal_issue(
            case=case,
            user=mediator,
            data=ProposalInput(
                amount=Decimal("1800.00"),
                facts="申请人信用卡于异地被盗刷2600元，申请人及时挂失并报警。",
                dispute="银行是否应承担盗刷损失及承担的比例。",
                terms="被申请人向申请人支付补偿款1800元，双方就本纠纷再无其他争议。",
                pay_within_days=10,
                grounds=[
                    Ground(
                        kind="judicial_interpretation",
                        citation="《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》第七条",
                    ),
                    Ground(kind="industry_practice", citation="银行卡盗刷损失分担的行业惯例"),
                ],
            ),
        )
        accepted = proposal_accept(proposal=proposal, user=applicant)
        assert accepted.agreement is not None
        version = accepted.agreement.versions.order_by("-number").first()
        assert version is not None and version.status == VersionStatus.SIGNING
        for signer in (applicant, staff, mediator):
            self._sign(version, signer)
        sealed = document_seal(version_id=version.pk)
        if sealed.status != VersionStatus.SEALED:
            raise CommandError("the agreement was signed but could not be sealed")
        return sealed

    def _sign(self, version: DocumentVersion, signer: User) -> None:
        """Sign as ``signer`` with the code the signing service texts (caught in-process)."""
        with override_settings(ACCORD_SMS_BACKEND="accord.accounts.sms.OutboxSmsBackend"):
            sms.outbox.clear()
            signing_code_request(version=version, user=signer)
            template = sms.outbox[-1].template
        assert template is not None and template.kind == "document_sign_code"
        document_sign(
            version=version, user=signer, code=template.params[1], shown_sha256=version.sha256
        )
