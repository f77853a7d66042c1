"""`accord seed-demo`: load the demo world (idempotent) and print the demo accounts."""

from __future__ import annotations

import io
from argparse import ArgumentParser
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.accounts.services import applicant_get_or_create, staff_create, totp_provision
from accord.alerts.models import Alert, AlertKind
from accord.alerts.services import alerts_scan
from accord.audit.actors import Actor
from accord.cases import services as cases
from accord.cases.models import Case, CaseState, ConsultationTopic
from accord.demo import data
from accord.institutions.services.clauses import ClauseInput, clause_create
from accord.institutions.services.contacts import ContactInput, mediation_contact_create
from accord.mediators.services import ProfileData, mediator_profile_save, qualification_add
from accord.meetings.services.meetings import (
    MeetingInput,
    alert_attach,
    attendee_add,
    case_attach,
    decision_add,
    follow_up_add,
    meeting_create,
)
from accord.orgs.models import ComplaintChannel, Membership, Organization, OrgKind, Role
from accord.orgs.services import complaint_channel_create, membership_grant, organization_create
from accord.publicity.models import EventKind
from accord.publicity.services.events import EventInput, event_create, event_publish
from accord.publicity.services.typical import (
    TypicalTexts,
    typical_case_draft,
    typical_case_publish,
)
from accord.smallclaims.services.memoranda import MemorandumInput, memorandum_create

SEED = Actor.system("seed-demo")
# A tiny valid PDF, so the demo has one evidence file that verify-case re-hashes.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "Seed demo organizations, accounts and cases (safe to run twice)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ACCORD_DEMO:
            raise CommandError("demo data is loaded only with ACCORD_DEMO=1")
        if Organization.objects.filter(code=data.ORGS[0].code).exists():
            self.stdout.write("demo data already present")
        else:
            # One transaction, so that a failure half-way leaves nothing that the
            # next run would mistake for a complete demo.
            with transaction.atomic():
                orgs = self._orgs()
                staff = self._staff(orgs)
                self._roster(staff)
                applicants = self._applicants()
                self._consultations(orgs, applicants)
                self._memorandum(orgs, staff)
                first = self._cases(orgs, staff, applicants)
                self._oversight(orgs, staff)
            # Uploads stay outside transactions (no DB locks held during I/O).
            cases.material_upload(
                case=first, user=applicants[0], name="年费账单.pdf", stream=io.BytesIO(DEMO_PDF)
            )
            self.stdout.write(self.style.SUCCESS(f"seeded {Case.objects.count()} demo cases"))
        if not options["quiet"]:
            self._print_accounts()

    def _orgs(self) -> dict[str, Organization]:
        orgs = {}
        for spec in data.ORGS:
            orgs[spec.code] = organization_create(
                kind=spec.kind,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                sector=spec.sector,
                region="示例市",
                actor=SEED,
            )
        for org in orgs.values():
            if org.kind != OrgKind.FINANCIAL_INSTITUTION:
                continue
            complaint_channel_create(
                organization=org,
                actor=SEED,
                scope=ComplaintChannel.Scope.INTERNAL,
                name="客户服务热线",
                phone="95500",
            )
            complaint_channel_create(
                organization=org,
                actor=SEED,
                scope=ComplaintChannel.Scope.EXTERNAL,
                name=orgs["FMC"].name,
                phone="0471-12345678",
                address="示例市新华大街1号",
            )
        return orgs

    def _staff(self, orgs: dict[str, Organization]) -> dict[str, User]:
        staff = {}
        for spec in data.STAFF:
            user = staff_create(
                username=spec.username,
                password=data.DEMO_PASSWORD,
                display_name=spec.display_name,
                phone=spec.phone,
                actor=SEED,
            )
            membership_grant(
                organization=orgs[spec.org] if spec.org else None,
                user=user,
                role=spec.role,
                actor=SEED,
            )
            totp_provision(user=user, secret=data.DEMO_TOTP_SECRET, actor=SEED)
            staff[spec.username] = user
        sysadmin = staff["sysadmin"]
        # The system administrator configures through Django admin.
        User.objects.filter(pk=sysadmin.pk).update(is_staff=True, is_superuser=True)
        return staff

    def _memorandum(self, orgs: dict[str, Organization], staff: dict[str, User]) -> None:
        """The small-claim memorandum of the center with the demo bank (R8)."""
        today = timezone.localdate()
        memorandum_create(
            organization=orgs["FMC"],
            institution=orgs["EXBANK"],
            data=MemorandumInput(
                threshold=data.SMALL_CLAIM_THRESHOLD,
                business_types=list(data.SMALL_CLAIM_BUSINESS),
                valid_from=today - timedelta(days=365),
                valid_to=today + timedelta(days=365),
                signed_on=today - timedelta(days=366),
                reference="FMC-EXBANK-小额-01",
            ),
            by=staff["fmc-admin"],
        )

    def _roster(self, staff: dict[str, User]) -> None:
        """Roster profiles of the demo mediators (the public roster at /mediators/)."""
        for spec in data.ROSTER:
            membership = Membership.objects.get(user=staff[spec.username], role=Role.MEDIATOR)
            profile = mediator_profile_save(
                membership=membership,
                data=ProfileData(
                    specialties=list(spec.specialties),
                    years_of_experience=spec.years,
                    languages=spec.languages,
                ),
                actor=SEED,
            )
            for kind, title, number, issued in spec.qualifications:
                qualification_add(
                    profile=profile,
                    kind=kind,
                    title=title,
                    certificate_no=number,
                    issued_on=date.fromisoformat(issued),
                    actor=SEED,
                )

    def _applicants(self) -> list[User]:
        applicants = []
        for phone, name in data.APPLICANTS:
            user, _created = applicant_get_or_create(
                phone=phone, via="seed_demo", display_name=name
            )
            applicants.append(user)
        return applicants

    def _consultations(self, orgs: dict[str, Organization], applicants: list[User]) -> None:
        for index, topic in enumerate(
            [ConsultationTopic.CONSULTATION, ConsultationTopic.NOTARIZATION]
        ):
            asker = applicants[index]
            cases.consultation_create(
                asker=asker,
                topic=topic,
                organization=orgs["FMC"],
                respondent=orgs["EXBANK"],
                business_type="bank_card",
                description="信用卡分期手续费是否合理？能否申请调解？",
                contact_name=asker.display_name,
                contact_phone=asker.phone or "",
            )

    def _cases(
        self, orgs: dict[str, Organization], staff: dict[str, User], applicants: list[User]
    ) -> Case:
        admin = staff["fmc-admin"]
        first: Case | None = None
        mediators = [staff["mediator-li"], staff["mediator-wang"]]
        today = timezone.localdate()
        for number, (who, respondent, business, amount, facts, target, channel) in enumerate(
            data.CASES
        ):
            applicant = applicants[who]
            application = cases.CaseApplication(
                organization=orgs["FMC"],
                respondent=orgs[respondent],
                applicant_type=data.APPLICANT_TYPE,
                applicant_name=applicant.display_name,
                applicant_phone=applicant.phone or "",
                business_type=business,
                description=facts,
                amount=amount,
                claims="请求依法调解。",
            )
            if channel == "regulator":
                case = cases.case_assign_by_regulator(
                    officer=staff["regulator"],
                    regulator=orgs["EXREG"],
                    application=application,
                    complaint_reference=f"TS-{today.year}-{number:04d}",
                )
            elif channel == "court":
                case = cases.case_entrust_by_court(
                    court=orgs["EXCOURT"],
                    application=application,
                    court_case_no=f"（{today.year}）示01民初{100 + number}号",
                    entrusted_on=today - timedelta(days=10),
                    materials_signed_on=today - timedelta(days=8),
                    clerk=staff["court-clerk"],
                )
            else:
                case = cases.case_apply(applicant=applicant, application=application)
            first = first or case
            self._advance(case, target, admin, mediators[number % 2], applicant)
        assert first is not None
        return first

    def _advance(
        self, case: Case, target: str, admin: User, mediator: User, applicant: User
    ) -> None:
        if target == CaseState.SUBMITTED:
            return
        if target == CaseState.DECLINED:
            cases.case_decline(
                case=case, user=admin, reason="该争议已进入诉讼程序，不符合受理条件。"
            )
            return
        cases.case_accept(case=case, user=admin)
        if target == CaseState.ACCEPTED:
            return
        if target == CaseState.WITHDRAWN:
            cases.case_withdraw(case=case, user=applicant, reason="已与银行自行和解。")
            return
        # The institution answers (mediation is voluntary) before a mediator is named.
        staff = User.objects.get(
            memberships__organization=case.respondent, memberships__role=Role.INSTITUTION_STAFF
        )
        if target == CaseState.NOT_MEDIATED:
            cases.case_answer(
                case=case,
                user=staff,
                decision="decline",
                reasons="本公司已按规定履行适当性义务，拟通过诉讼解决。",
            )
            return
        cases.case_answer(
            case=case,
            user=staff,
            decision="agree",
            position="本行同意调解，相关收费已按合同约定告知，愿意协商解决。",
        )
        cases.case_assign_mediator(case=case, user=admin, mediator=mediator)
        if target == CaseState.ASSIGNED:
            return
        cases.case_start_mediation(case=case, user=mediator)
        if target == CaseState.MEDIATING:
            return
        outcome = CaseState.AGREEMENT if target == CaseState.CLOSED else target
        reason = "申请人拒绝继续调解。" if outcome == CaseState.TERMINATED else ""
        cases.case_record_outcome(case=case, user=mediator, outcome=outcome, reason=reason)
        if target == CaseState.CLOSED:
            cases.case_close(case=case, user=mediator)

    def _oversight(self, orgs: dict[str, Organization], staff: dict[str, User]) -> None:
        """What regulators, courts, the center and the institutions watch (issue 15): a group
        dispute and the early warning it raises, a joint meeting on it, a published typical
        case, an open day, the bank's mediation contact and mediation-first clause."""
        now = timezone.now()
        today = timezone.localdate()
        group = []
        for (phone, name), (amount, loss) in zip(
            data.GROUP_APPLICANTS, data.GROUP_AMOUNTS, strict=True
        ):
            investor, _created = applicant_get_or_create(
                phone=phone, via="seed_demo", display_name=name
            )
            group.append(
                cases.case_apply(
                    applicant=investor,
                    application=cases.CaseApplication(
                        organization=orgs["FMC"],
                        respondent=orgs["EXSEC"],
                        applicant_type=data.APPLICANT_TYPE,
                        applicant_name=name,
                        applicant_phone=phone,
                        business_type="securities",
                        product=data.GROUP_PRODUCT,
                        description=data.GROUP_FACTS.format(amount=amount, loss=loss),
                        amount=amount,
                        claims="请求赔偿投资损失。",
                    ),
                )
            )
        # The rules run as beat runs them (hourly); the group is found by its texts alone.
        alerts_scan(today=today)
        alert = Alert.objects.filter(kind=AlertKind.GROUP, respondent=orgs["EXSEC"]).first()

        regulator = staff["regulator"]
        meeting = meeting_create(
            organization=orgs["EXREG"],
            by=regulator,
            data=MeetingInput(
                title="金融纠纷多元化解联席会议（第四季度）",
                starts_at=now + timedelta(days=7),
                place="示例市金融监管局三楼会议室",
                agenda="一、通报本季度金融纠纷调解情况；二、研判“稳盈3号”群体性纠纷风险；三、诉调对接工作安排。",
            ),
        )
        for organization, member in (
            (orgs["EXREG"], regulator),
            (orgs["FMC"], staff["fmc-admin"]),
            (orgs["EXCOURT"], staff["court-clerk"]),
            (orgs["EXSEC"], staff["sec-staff"]),
        ):
            attendee_add(meeting=meeting, organization=organization, by=regulator, user=member)
        if alert is not None:
            alert_attach(meeting=meeting, alert=alert, by=regulator)
        case_attach(meeting=meeting, case_no=group[0].case_no, by=regulator)
        decision_add(
            meeting=meeting,
            text="由调解中心集中调解“稳盈3号”相关纠纷，证券公司指定专人对接。",
            by=regulator,
        )
        follow_up_add(
            meeting=meeting,
            text="报送“稳盈3号”产品销售及风险测评材料。",
            owner_organization=orgs["EXSEC"],
            owner_user=staff["sec-staff"],
            due_on=today + timedelta(days=21),
            by=regulator,
        )

        closed = Case.objects.filter(state=CaseState.CLOSED, organization=orgs["FMC"]).first()
        if closed is not None:
            admin = staff["fmc-admin"]
            typical = typical_case_draft(case=closed, user=admin)
            texts = TypicalTexts.of(typical)
            typical_case_publish(
                typical=typical,
                user=admin,
                reviewed=True,
                texts=replace(
                    texts,
                    lessons=(
                        "金融机构收取费用应事先明确告知并取得客户同意；"
                        "调解组织通过释法明理促成双方自愿达成协议，实质性化解纠纷。"
                    ),
                ),
            )
        event = event_create(
            organization=orgs["FMC"],
            user=staff["fmc-admin"],
            data=EventInput(
                title="金融纠纷调解公众开放日",
                event_kind=EventKind.OPEN_DAY,
                starts_at=now + timedelta(days=14),
                ends_at=now + timedelta(days=14, hours=3),
                place="示例市金融纠纷调解中心（示例市新华大街1号）",
                description="参观在线调解室，了解调解流程与小额纠纷快速解决机制。",
                registration="请拨打调解中心电话预约。",
            ),
        )
        event_publish(event=event, user=staff["fmc-admin"])

        bank_staff = staff["bank-staff"]
        mediation_contact_create(
            institution=orgs["EXBANK"],
            user=bank_staff,
            data=ContactInput(organization=orgs["FMC"], desk="调解受理窗口", phone="0471-12345678"),
        )
        clause_create(
            institution=orgs["EXBANK"],
            user=bank_staff,
            data=ClauseInput(
                contract=data.CLAUSE_CONTRACT,
                business_type="bank_card",
                text=data.CLAUSE_TEXT,
                effective_from=date(today.year, 1, 1),
                organization=orgs["FMC"],
                published=True,
            ),
        )

    def _print_accounts(self) -> None:
        out = self.stdout.write
        out("")
        out("Demo accounts (demo data only):")
        out(
            f"  staff: username below, password {data.DEMO_PASSWORD!r}, authenticator secret "
            f"{data.DEMO_TOTP_SECRET} (or `accord demo-totp` prints the current code)"
        )
        for spec in data.STAFF:
            out(f"    {spec.username:<15} {spec.role:<18} {spec.org or '-'}")
        out("  applicants: sign in with the phone number; the one-time code is in the web log")
        for phone, name in data.APPLICANTS:
            out(f"    {phone}  {name}")
