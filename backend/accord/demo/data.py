"""The demo world: organizations, people and ~20 cases across every state.

Everything is fictional. Loaded only through the same services real users go
through, so the demo's trace is as real as production's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accord.cases.models import ApplicantType, BusinessType
from accord.orgs.models import InstitutionSector, OrgKind, Role

DEMO_PASSWORD = "accord-demo-2026"  # noqa: S105  (demo data only; refused without ACCORD_DEMO)
# One authenticator secret for every demo staff account, printed by `make up`.
DEMO_TOTP_SECRET = "ACCORDDEMOTOTPSECRETBASE32ABCDEF"  # noqa: S105
# The demo court's platform (accord demo-court-key; the court simulator make up starts).
DEMO_COURT = "EXCOURT"
DEMO_COURT_KEY_ID = "ck_demo_excourt"
DEMO_COURT_SECRET = "demo-court-secret-not-for-production"  # noqa: S105
DEMO_COURT_CALLBACK_KEY_ID = "cb_demo_excourt"
DEMO_COURT_CALLBACK_SECRET = "demo-callback-secret-not-for-production"  # noqa: S105


@dataclass(frozen=True)
class OrgSpec:
    code: str
    kind: str
    name: str
    name_en: str
    sector: str = ""


ORGS = [
    OrgSpec(
        "FMC",
        OrgKind.FINANCIAL_MEDIATION,
        "示例市金融纠纷调解中心",
        "Example City Financial Dispute Mediation Center",
    ),
    OrgSpec(
        "PMC",
        OrgKind.PEOPLES_MEDIATION,
        "示例区金融纠纷人民调解委员会",
        "Example District People's Mediation Committee for Financial Disputes",
    ),
    OrgSpec(
        "EXBANK",
        OrgKind.FINANCIAL_INSTITUTION,
        "示例商业银行股份有限公司",
        "Example Commercial Bank",
        InstitutionSector.BANK,
    ),
    OrgSpec(
        "EXLIFE",
        OrgKind.FINANCIAL_INSTITUTION,
        "示例人寿保险股份有限公司",
        "Example Life Insurance",
        InstitutionSector.INSURANCE,
    ),
    OrgSpec(
        "EXSEC",
        OrgKind.FINANCIAL_INSTITUTION,
        "示例证券股份有限公司",
        "Example Securities",
        InstitutionSector.SECURITIES,
    ),
    OrgSpec(
        "EXCOURT", OrgKind.COURT, "示例市中级人民法院", "Example City Intermediate People's Court"
    ),
    OrgSpec(
        "EXREG",
        OrgKind.REGULATOR,
        "国家金融监督管理总局示例监管分局",
        "Example Branch of the Financial Regulator",
    ),
    OrgSpec("EXNOTARY", OrgKind.NOTARY_OFFICE, "示例市公证处", "Example City Notary Office"),
    OrgSpec("EXARB", OrgKind.ARBITRATION, "示例仲裁委员会", "Example Arbitration Commission"),
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    org: str | None
    role: str
    # Staff confirm signatures on documents with a code texted here (not a sign-in route).
    phone: str | None = None


STAFF = [
    StaffSpec("fmc-admin", "周主任", "FMC", Role.ORG_ADMIN),
    StaffSpec("mediator-li", "李调解员", "FMC", Role.MEDIATOR, "13900000101"),
    StaffSpec("mediator-wang", "王调解员", "FMC", Role.MEDIATOR, "13900000102"),
    StaffSpec("expert-zhao", "赵专家", "FMC", Role.EXPERT),
    StaffSpec("fmc-auditor", "钱督查", "FMC", Role.AUDITOR),
    StaffSpec("pmc-admin", "孙主任", "PMC", Role.ORG_ADMIN),
    StaffSpec("mediator-chen", "陈调解员", "PMC", Role.MEDIATOR),
    StaffSpec("bank-staff", "吴经理", "EXBANK", Role.INSTITUTION_STAFF, "13900000103"),
    StaffSpec("life-staff", "郑经理", "EXLIFE", Role.INSTITUTION_STAFF),
    StaffSpec("sec-staff", "冯经理", "EXSEC", Role.INSTITUTION_STAFF),
    StaffSpec("court-clerk", "蒋书记员", "EXCOURT", Role.COURT_CLERK),
    StaffSpec("regulator", "沈处长", "EXREG", Role.REGULATOR_OFFICER),
    StaffSpec("notary", "韩公证员", "EXNOTARY", Role.NOTARY),
    StaffSpec("sysadmin", "系统管理员", None, Role.SYSADMIN),
]

# The small-claim memorandum of FMC with EXBANK (accord.smallclaims): claims up to this amount
# of these businesses get the fast track.
SMALL_CLAIM_THRESHOLD = Decimal("50000.00")
SMALL_CLAIM_BUSINESS = (BusinessType.DEPOSIT, BusinessType.LOAN, BusinessType.BANK_CARD)

APPLICANTS = [
    ("13800000001", "张三"),
    ("13800000002", "李四"),
    ("13800000003", "王五"),
    ("13800000004", "赵六"),
]

# (applicant index, respondent, business, amount, facts, target state, channel)
CASES: list[tuple[int, str, str, Decimal, str, str, str]] = [
    (
        0,
        "EXBANK",
        BusinessType.BANK_CARD,
        Decimal("3200.00"),
        "信用卡年费争议，称未被告知收费标准。",
        "mediating",
        "application",
    ),
    (
        1,
        "EXLIFE",
        BusinessType.INSURANCE,
        Decimal("58000.00"),
        "重疾险理赔被拒，对免责条款理解有争议。",
        "mediating",
        "application",
    ),
    (
        2,
        "EXSEC",
        BusinessType.SECURITIES,
        Decimal("120000.00"),
        "两融账户强制平仓时点争议。",
        "assigned",
        "application",
    ),
    (
        3,
        "EXBANK",
        BusinessType.WEALTH_MANAGEMENT,
        Decimal("200000.00"),
        "理财产品风险等级与本人风险承受能力不匹配。",
        "submitted",
        "application",
    ),
    (
        0,
        "EXBANK",
        BusinessType.LOAN,
        Decimal("15000.00"),
        "提前还款违约金计算方式争议。",
        "submitted",
        "application",
    ),
    (
        1,
        "EXBANK",
        BusinessType.DEPOSIT,
        Decimal("8000.00"),
        "存款被他人冒领，要求银行承担责任。",
        "accepted",
        "application",
    ),
    (
        2,
        "EXLIFE",
        BusinessType.INSURANCE,
        Decimal("12000.00"),
        "退保现金价值低于预期。",
        "agreement",
        "application",
    ),
    (
        3,
        "EXSEC",
        BusinessType.FUNDS,
        Decimal("30000.00"),
        "基金销售适当性争议。",
        "failed",
        "application",
    ),
    (
        0,
        "EXLIFE",
        BusinessType.INSURANCE,
        Decimal("6000.00"),
        "车险理赔金额争议。",
        "closed",
        "application",
    ),
    (
        1,
        "EXBANK",
        BusinessType.PAYMENT,
        Decimal("1200.00"),
        "快捷支付被盗刷。",
        "withdrawn",
        "application",
    ),
    (
        2,
        "EXBANK",
        BusinessType.BANK_CARD,
        Decimal("900.00"),
        "分期手续费争议。",
        "declined",
        "application",
    ),
    (
        3,
        "EXSEC",
        BusinessType.FUNDS,
        Decimal("45000.00"),
        "基金销售适当性争议，证券公司不同意调解。",
        "not_mediated",
        "application",
    ),
    (
        3,
        "EXBANK",
        BusinessType.LOAN,
        Decimal("45000.00"),
        "经营贷利率调整争议。",
        "terminated",
        "application",
    ),
    (
        0,
        "EXSEC",
        BusinessType.SECURITIES,
        Decimal("22000.00"),
        "委托交易未及时执行。",
        "submitted",
        "regulator",
    ),
    (
        1,
        "EXBANK",
        BusinessType.BANK_CARD,
        Decimal("5000.00"),
        "信用卡催收方式投诉及费用争议。",
        "accepted",
        "regulator",
    ),
    (
        2,
        "EXLIFE",
        BusinessType.INSURANCE,
        Decimal("80000.00"),
        "寿险销售误导，要求全额退保。",
        "mediating",
        "regulator",
    ),
    (
        3,
        "EXBANK",
        BusinessType.LOAN,
        Decimal("300000.00"),
        "借款合同纠纷，法院立案后委托调解。",
        "submitted",
        "court",
    ),
    (
        0,
        "EXBANK",
        BusinessType.LOAN,
        Decimal("150000.00"),
        "房贷逾期罚息争议，法院委托调解。",
        "assigned",
        "court",
    ),
    (
        1,
        "EXSEC",
        BusinessType.SECURITIES,
        Decimal("60000.00"),
        "证券虚假陈述责任纠纷，法院委托调解。",
        "mediating",
        "court",
    ),
    (
        2,
        "EXLIFE",
        BusinessType.INSURANCE,
        Decimal("25000.00"),
        "意外险理赔争议。",
        "agreement",
        "application",
    ),
    (
        3,
        "EXBANK",
        BusinessType.WEALTH_MANAGEMENT,
        Decimal("50000.00"),
        "理财到期收益低于宣传。",
        "failed",
        "application",
    ),
]

APPLICANT_TYPE = ApplicantType.NATURAL_PERSON


@dataclass(frozen=True)
class RosterSpec:
    """A demo mediator's roster profile: specialties, years, languages, qualifications
    (kind, title, certificate number, issued on as YYYY-MM-DD)."""

    username: str
    specialties: tuple[str, ...]
    years: int
    languages: str
    qualifications: tuple[tuple[str, str, str, str], ...]


ROSTER = [
    RosterSpec(
        "mediator-li",
        ("banking", "payments"),
        12,
        "普通话、粤语",
        (("finance", "银行业专业人员职业资格（中级）", "YH2014-0311", "2014-06-30"),),
    ),
    RosterSpec(
        "mediator-wang",
        ("insurance", "securities"),
        8,
        "普通话、English",
        (
            ("law", "法律职业资格证书", "A20161100001", "2016-12-20"),
            ("finance", "证券从业资格", "S2015-7788", "2015-09-01"),
        ),
    ),
    RosterSpec(
        "mediator-chen",
        ("banking", "insurance"),
        20,
        "普通话",
        (("law", "人民调解员证", "RT-2009-042", "2009-03-15"),),
    ),
]

# Oversight (issue 15). A group dispute: six investors, each on their own, bring nearly the same
# complaint about one asset-management product of the demo securities firm within days, which the
# early warning's group rule (accord.alerts.detection) clusters; the regulator then discusses the
# alert in a joint meeting. Names and numbers are invented.
GROUP_PRODUCT = "稳盈3号集合资产管理计划"
GROUP_APPLICANTS = [
    ("13800000011", "钱一鸣"),
    ("13800000012", "孙丽华"),
    ("13800000013", "周建国"),
    ("13800000014", "吴晓燕"),
    ("13800000015", "郑志强"),
    ("13800000016", "王海涛"),
]
GROUP_FACTS = (
    "本人于2025年在示例证券营业部购买“稳盈3号集合资产管理计划”{amount}元，"
    "销售人员承诺保本保收益、年化收益不低于5%，未进行风险测评，也未告知产品风险等级为R4。"
    "产品到期后净值大幅下跌，亏损约{loss}元，要求证券公司赔偿损失。"
)
GROUP_AMOUNTS = [
    (Decimal("200000.00"), "6万"),
    (Decimal("150000.00"), "4.5万"),
    (Decimal("300000.00"), "9万"),
    (Decimal("100000.00"), "3万"),
    (Decimal("250000.00"), "7.5万"),
    (Decimal("120000.00"), "3.6万"),
]

# The demo bank's mediation-first clause (先行调解, R17) and the mediation contact it publishes.
CLAUSE_CONTRACT = "示例银行信用卡领用合约（2026年版）"
CLAUSE_TEXT = (
    "因本合约发生的争议，双方同意先行向示例市金融纠纷调解中心申请调解；"
    "调解不成的，任何一方可依法向人民法院提起诉讼。"
)
