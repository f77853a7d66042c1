"""Seeding for the oversight dashboards benchmark (bench/oversight.py): many cases, fast.

The few hundred organizations, users and memberships are written with the ORM (``bulk_create``);
the cases, their trace chains and their time limits are written by set-based SQL
(``INSERT … SELECT … FROM generate_series``), so a million cases take minutes, not hours.

Every row satisfies the models' NOT NULL, foreign key and CHECK constraints: a seeded case
loads through the ORM like any other. Encrypted fields hold one real ciphertext (made by the
field's own code) shared by every row, and the phone's lookup hash likewise.

Distributions (deterministic for a given ``rng_seed``):

- 20 mediation organizations over 4 regions (a few large, many small), 3 regulators and 3
  courts in the first three regions, 300 financial institutions (a few large), ~2,000 products;
- intake channels 80 % application, 15 % regulator, 5 % court;
- created over the last 3 years, growing (more recent cases than old ones);
- cases older than 60 days have mostly ended (agreement, failed, declined, withdrawn, not
  mediated, terminated, closed), recent ones are mostly open;
- 10 mediators per organization (users with a mediator membership) and one administrator;
- a mediation (or court-entrusted mediation) period for every accepted case, met or missed by
  when the case ended;
- each case's trace events (submitted, accepted or declined, the outcome, closed);
- small-claim proposals (with their document version) on a share of the small mediated cases
  against the ten largest institutions, under a memorandum of the organization with it;
- the court's entrustment of every court case and, once ended, the feedback owed to the court
  with its 3-working-day time limit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.canonical import GENESIS_HASH
from accord.cases.models import BusinessType, Case
from accord.core import crypto
from accord.courts.models import CourtKey
from accord.orgs.models import InstitutionSector, Membership, Organization, OrgKind, Role
from accord.smallclaims.models import Memorandum

REGIONS = ("华东", "华北", "华南", "西部")
N_ORGANIZATIONS = 20
N_INSTITUTIONS = 300
N_PRODUCTS = 2000
N_TOP_INSTITUTIONS = 10
ANALYZED = (
    "cases_case",
    "audit_tracechain",
    "audit_traceevent",
    "deadlines_deadline",
    "documents_document",
    "documents_documentversion",
    "smallclaims_proposal",
    "courts_entrustment",
    "courts_courtfeedback",
)
MEDIATORS_PER_ORGANIZATION = 10
# Business types roughly as frequent as in the published statistics: banking first.
BUSINESS_TYPES = (
    BusinessType.BANK_CARD,
    BusinessType.LOAN,
    BusinessType.LOAN,
    BusinessType.BANK_CARD,
    BusinessType.INSURANCE,
    BusinessType.WEALTH_MANAGEMENT,
    BusinessType.DEPOSIT,
    BusinessType.PAYMENT,
    BusinessType.SECURITIES,
    BusinessType.FUNDS,
    BusinessType.FUTURES,
    BusinessType.TRUST,
    BusinessType.FINANCIAL_LEASING,
    BusinessType.FINANCING_GUARANTEE,
    BusinessType.OTHER_FINANCIAL,
)


@dataclass
class Seeded:
    """What one seeding wrote: the organizations by kind and the number of rows."""

    tag: str
    organizations: list[int] = field(default_factory=list)
    regulators: list[int] = field(default_factory=list)
    courts: list[int] = field(default_factory=list)
    institutions: list[int] = field(default_factory=list)
    mediators: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    memoranda: list[int] = field(default_factory=list)
    court_keys: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    deadlines: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _organizations(tag: str) -> Seeded:
    seeded = Seeded(tag=tag)
    rows: list[Organization] = []
    for i in range(N_ORGANIZATIONS):
        kind = OrgKind.FINANCIAL_MEDIATION if i % 4 else OrgKind.PEOPLES_MEDIATION
        rows.append(
            Organization(
                kind=kind,
                code=f"{tag}M{i + 1:02d}",
                name=f"{REGIONS[i % 4]}金融纠纷调解中心{i + 1}",
                region=REGIONS[i % 4],
            )
        )
    for i in range(3):
        rows.append(
            Organization(
                kind=OrgKind.REGULATOR,
                code=f"{tag}R{i + 1}",
                name=f"{REGIONS[i]}金融监管局",
                region=REGIONS[i],
            )
        )
        rows.append(
            Organization(
                kind=OrgKind.COURT,
                code=f"{tag}C{i + 1}",
                name=f"{REGIONS[i]}人民法院",
                region=REGIONS[i],
            )
        )
    sectors = list(InstitutionSector.values)
    for i in range(N_INSTITUTIONS):
        rows.append(
            Organization(
                kind=OrgKind.FINANCIAL_INSTITUTION,
                code=f"{tag}I{i + 1:03d}",
                name=f"金融机构{i + 1}",
                region=REGIONS[i % 4],
                sector=sectors[i % len(sectors)],
            )
        )
    created = Organization.objects.bulk_create(rows)
    for organization in created:
        org_kind = str(organization.kind)
        if org_kind in (OrgKind.FINANCIAL_MEDIATION, OrgKind.PEOPLES_MEDIATION):
            seeded.organizations.append(organization.pk)
        elif org_kind == OrgKind.REGULATOR:
            seeded.regulators.append(organization.pk)
        elif org_kind == OrgKind.COURT:
            seeded.courts.append(organization.pk)
        else:
            seeded.institutions.append(organization.pk)
    return seeded


def _people(seeded: Seeded) -> None:
    """Ten mediators and one administrator per mediation organization."""
    users: list[User] = []
    for o in range(N_ORGANIZATIONS):
        users.append(User(username=f"bench-{seeded.tag}-admin-{o + 1}", password="!"))  # noqa: S106
        users += [
            User(username=f"bench-{seeded.tag}-m{o + 1}-{m + 1}", password="!")  # noqa: S106
            for m in range(MEDIATORS_PER_ORGANIZATION)
        ]
    created = User.objects.bulk_create(users)
    memberships: list[Membership] = []
    per = MEDIATORS_PER_ORGANIZATION + 1
    for o, organization_id in enumerate(seeded.organizations):
        group = created[o * per : (o + 1) * per]
        memberships.append(
            Membership(user=group[0], organization_id=organization_id, role=Role.ORG_ADMIN)
        )
        seeded.admins.append(group[0].pk)
        for user in group[1:]:
            memberships.append(
                Membership(user=user, organization_id=organization_id, role=Role.MEDIATOR)
            )
            seeded.mediators.append(user.pk)
    Membership.objects.bulk_create(memberships)


_CASES_SQL = """
WITH r AS (
    SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
           random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10,
           random() AS r11, random() AS r12, random() AS r13
    FROM generate_series(1, %(n)s) AS g
), b AS (
    SELECT r.*,
           1 + least(floor(%(n_orgs)s * power(r1, 1.6))::int, %(n_orgs)s - 1) AS oi,
           1 + least(floor(%(n_inst)s * power(r9, 2.0))::int, %(n_inst)s - 1) AS ii,
           %(now)s::timestamptz - interval '1 day' * (1095 * (1 - sqrt(r2))) AS created,
           CASE WHEN r3 < 0.80 THEN 'application' WHEN r3 < 0.95 THEN 'regulator'
                ELSE 'court' END AS channel
    FROM r
), c AS (
    SELECT b.*,
           (%(orgs)s::bigint[])[oi] AS org_id,
           (%(org_region)s::int[])[oi] AS reg,
           CASE
               WHEN created > %(now)s::timestamptz - interval '60 days' OR r4 > 0.995 THEN
                   CASE WHEN r4 < 0.2 THEN 'submitted' WHEN r4 < 0.35 THEN 'accepted'
                        WHEN r4 < 0.5 THEN 'assigned' WHEN r4 < 0.8 THEN 'mediating'
                        WHEN r4 < 0.9 THEN 'agreement' ELSE 'failed' END
               ELSE
                   CASE WHEN r4 < 0.45 THEN 'agreement' WHEN r4 < 0.65 THEN 'failed'
                        WHEN r4 < 0.73 THEN 'declined' WHEN r4 < 0.80 THEN 'withdrawn'
                        WHEN r4 < 0.90 THEN 'not_mediated' WHEN r4 < 0.93 THEN 'terminated'
                        ELSE 'closed' END
           END AS state
    FROM b
), d AS (
    SELECT c.*,
           state IN ('agreement', 'failed', 'declined', 'withdrawn', 'not_mediated',
                     'terminated', 'closed') AS ended,
           CASE WHEN state IN ('submitted', 'declined') THEN ''
                WHEN r5 < 0.5 THEN 'simple' WHEN r5 < 0.9 THEN 'normal'
                ELSE 'complex' END AS complexity
    FROM c
)
INSERT INTO cases_case (
    id, case_no, organization_id, year, seq, channel, state, state_reason, state_changed_at,
    applicant_id, applicant_type, applicant_name, applicant_phone, applicant_phone_lookup,
    applicant_id_number, credit_code, representative, respondent_id, business_type,
    dispute_nature, amount, product, description, claims, consultation_id, submitted_by_id,
    referred_by_id, regulator_reference, court_id, court_case_no, entrusted_on,
    materials_signed_on, mediator_id, complexity, chain_id, created_at, updated_at
)
SELECT
    %(case_base)s + g,
    %(tag)s || '-' || extract(year FROM created)::int || '-' || g,
    org_id,
    extract(year FROM created)::int,
    g,
    channel,
    state,
    '',
    least(created + interval '1 day' * (CASE WHEN ended THEN 2 + r7 * 58 ELSE r7 * 20 END),
          %(now)s::timestamptz),
    NULL,
    CASE WHEN r13 < 0.85 THEN 'natural_person' WHEN r13 < 0.97 THEN 'legal_person'
         ELSE 'unincorporated' END,
    '申请人',
    %(phone)s,
    %(phone_lookup)s,
    '',
    '',
    '',
    (%(institutions)s::bigint[])[ii],
    (%(business_types)s::text[])[1 + floor(r11 * r11 * %(n_types)s)::int],
    'civil_commercial',
    round((exp(r12 * 9) * 50)::numeric, 2),
    CASE WHEN r10 < 0.2 THEN ''
         ELSE '产品' || (1 + (ii * 7 + floor(r10 * 7)::int) %% %(n_products)s) END,
    '争议事实',
    '',
    NULL,
    NULL,
    CASE WHEN channel = 'regulator'
         THEN coalesce((%(region_regulators)s::bigint[])[reg],
                       (%(regulators)s::bigint[])[1 + floor(r8 * 3)::int]) END,
    CASE WHEN channel = 'regulator' THEN 'TS' || g ELSE '' END,
    CASE WHEN channel = 'court'
         THEN coalesce((%(region_courts)s::bigint[])[reg],
                       (%(courts)s::bigint[])[1 + floor(r8 * 3)::int]) END,
    CASE WHEN channel = 'court' THEN '(' || extract(year FROM created)::int || ')诉前调' || g
         ELSE '' END,
    CASE WHEN channel = 'court' THEN created::date END,
    CASE WHEN channel = 'court' AND state <> 'submitted' THEN created::date + 1 END,
    CASE WHEN state IN ('submitted', 'accepted', 'declined', 'not_mediated') THEN NULL
         WHEN state = 'withdrawn' AND r6 < 0.5 THEN NULL
         ELSE (%(mediators)s::bigint[])[(oi - 1) * %(per_org)s + 1 + floor(r6 * %(per_org)s)::int]
    END,
    complexity,
    %(chain_base)s + g,
    created,
    least(created + interval '1 day' * (CASE WHEN ended THEN 2 + r7 * 58 ELSE r7 * 20 END),
          %(now)s::timestamptz)
FROM d
"""

# The case's trace: ``case.submitted``; ``case.accepted`` (or ``case.declined``); the outcome
# event (``case.agreement`` …; a closed case had an agreement, then ``case.closed``). The
# figures read the outcome and acceptance events. The hashes are stand-ins (sha256 of
# "<chain>:<seq>"), not a verifiable chain: the benchmark reads the trace, it never verifies it.
_N_EVENTS = """
    CASE WHEN state = 'submitted' THEN 1
         WHEN state IN ('accepted', 'assigned', 'mediating', 'declined') THEN 2
         WHEN state = 'closed' THEN 4 ELSE 3 END
"""

_CHAINS_SQL = f"""
INSERT INTO audit_tracechain (id, key, head_seq, head_hash, created_at)
SELECT chain_id, 'case:' || case_no, {_N_EVENTS},
       encode(sha256(convert_to(chain_id || ':' || {_N_EVENTS}, 'UTF8')), 'hex'), created_at
FROM cases_case WHERE id > %(case_base)s AND id <= %(case_base)s + %(n)s
"""  # noqa: S608 (constant text only)

_EVENTS_SQL = """
WITH c AS (
    SELECT chain_id, state, created_at, state_changed_at,
           created_at + (state_changed_at - created_at) / 10 AS accepted_at
    FROM cases_case WHERE id > %(case_base)s AND id <= %(case_base)s + %(n)s
), e AS (
    SELECT c.chain_id, 1 AS seq, 'case.submitted' AS action, c.created_at AS at FROM c
    UNION ALL
    SELECT chain_id, 2,
           CASE WHEN state = 'declined' THEN 'case.declined' ELSE 'case.accepted' END,
           CASE WHEN state = 'declined' THEN state_changed_at ELSE accepted_at END
    FROM c WHERE state <> 'submitted'
    UNION ALL
    SELECT chain_id, 3,
           CASE WHEN state = 'closed' THEN 'case.agreement' ELSE 'case.' || state END,
           state_changed_at
    FROM c WHERE state IN ('agreement', 'failed', 'terminated', 'withdrawn', 'not_mediated',
                           'closed')
    UNION ALL
    SELECT chain_id, 4, 'case.closed', state_changed_at FROM c WHERE state = 'closed'
)
INSERT INTO audit_traceevent (
    chain_id, seq, action, actor, actor_user_id, payload, occurred_at, prev_hash, hash
)
SELECT chain_id, seq, action, '{"kind": "system"}'::jsonb, NULL, '{}'::jsonb, at,
       CASE WHEN seq = 1 THEN %(genesis)s
            ELSE encode(sha256(convert_to(chain_id || ':' || (seq - 1), 'UTF8')), 'hex') END,
       encode(sha256(convert_to(chain_id || ':' || seq, 'UTF8')), 'hex')
FROM e
"""

# The mediation period of every accepted case (the court-entrusted one for court cases), in
# working days by complexity; met when the case ended by its due date, missed when after.
_DEADLINES_SQL = """
WITH c AS (
    SELECT id, channel, state, state_changed_at, created_at,
           coalesce(materials_signed_on, created_at::date + 1) AS starts_on,
           CASE complexity WHEN 'simple' THEN 15 WHEN 'normal' THEN 30 ELSE 60 END AS days,
           state IN ('agreement', 'failed', 'withdrawn', 'not_mediated', 'terminated',
                     'closed') AS ended
    FROM cases_case
    WHERE id > %(case_base)s AND id <= %(case_base)s + %(n)s AND complexity <> ''
)
INSERT INTO deadlines_deadline (
    case_id, kind, subject, starts_on, count, length_days, extension_days, due_on,
    provisional, status, met_at, closed_at, reminders_sent, escalated_at, created_at,
    updated_at
)
SELECT id,
       CASE WHEN channel = 'court' THEN 'court_mediation' ELSE 'mediation' END,
       '', starts_on, 'working', days, 0, starts_on + (days * 7) / 5, false,
       CASE WHEN NOT ended THEN 'open'
            WHEN state_changed_at::date <= starts_on + (days * 7) / 5 THEN 'met'
            ELSE 'missed' END,
       CASE WHEN ended THEN state_changed_at END,
       CASE WHEN ended THEN state_changed_at END,
       '[]'::jsonb, NULL, created_at, state_changed_at
FROM c
"""

# Small-claim proposals: on a share of the mediated small cases against the ten largest
# institutions (the ones with a memorandum), each with its rendered document version.
_PROPOSAL_CASES = """
    FROM cases_case c
    WHERE c.id > %(case_base)s AND c.id <= %(case_base)s + %(n)s
      AND c.channel = 'application' AND c.amount <= 50000
      AND c.state IN ('mediating', 'agreement', 'failed', 'withdrawn')
      AND array_position(%(top_institutions)s::bigint[], c.respondent_id) IS NOT NULL
      AND c.mediator_id IS NOT NULL AND (c.id * 7919) %% 100 < 40
"""

_DOCUMENTS_SQL = f"""
INSERT INTO documents_document (uuid, case_id, kind, language, created_at, created_by_id)
SELECT gen_random_uuid(), c.id, 'smallclaim_proposal', 'zh-hans',
       c.created_at + (c.state_changed_at - c.created_at) / 3, c.mediator_id
{_PROPOSAL_CASES}
"""

_VERSIONS_SQL = """
INSERT INTO documents_documentversion (
    uuid, document_id, number, fields, bucket, storage_key, sha256, size, status, sealed_key,
    sealed_sha256, sealed_at, created_at, created_by_id
)
SELECT gen_random_uuid(), d.id, 1, '{}'::jsonb, 'accord-documents', 'bench/' || d.uuid,
       repeat('0', 64), 1000, 'sealed', '', '', NULL, d.created_at, d.created_by_id
FROM documents_document d
WHERE d.kind = 'smallclaim_proposal' AND d.case_id > %(case_base)s
  AND d.case_id <= %(case_base)s + %(n)s
"""

_PROPOSALS_SQL = """
INSERT INTO smallclaims_proposal (
    uuid, case_id, number, memorandum_id, threshold, amount, facts, dispute, terms,
    pay_within_days, grounds, status, issued_by_id, issued_at, answer_days, answer_due_on,
    answer_due_provisional, reminded_at, answered_at, answered_by_id, refusal_reason,
    document_version_id, agreement_id
)
SELECT gen_random_uuid(), c.id, 1,
       (%(memoranda)s::bigint[])[
           (array_position(%(orgs)s::bigint[], c.organization_id) - 1) * %(n_top)s
           + array_position(%(top_institutions)s::bigint[], c.respondent_id)],
       50000, c.amount, '事实', '争议', '方案', 15, '[]'::jsonb,
       CASE c.state WHEN 'agreement' THEN 'accepted' WHEN 'mediating' THEN 'issued'
            WHEN 'withdrawn' THEN 'cancelled'
            ELSE CASE WHEN c.id %% 3 = 0 THEN 'lapsed' ELSE 'refused' END END,
       c.mediator_id, v.created_at, 10, v.created_at::date + 14, false, NULL,
       CASE WHEN c.state IN ('agreement', 'failed') THEN c.state_changed_at END,
       NULL, '', v.id, NULL
FROM documents_document d
JOIN documents_documentversion v ON v.document_id = d.id
JOIN cases_case c ON c.id = d.case_id
WHERE d.kind = 'smallclaim_proposal' AND d.case_id > %(case_base)s
  AND d.case_id <= %(case_base)s + %(n)s
"""

# Court-entrusted cases: the court's entrustment; once the mediation ended, the feedback owed
# to the court and its 3-working-day time limit (met, missed, or still open when recent).
_ENTRUSTMENTS_SQL = """
INSERT INTO courts_entrustment (
    uuid, court_id, organization_id, key_id, court_case_no, kind, applicant_name,
    applicant_kind, applicant_phone, applicant_id_number, respondent_name, respondent_code,
    respondent_id, business_type, claims, amount, body_sha256, received_at, status,
    decided_at, decided_by_id, decline_reason, case_id
)
SELECT gen_random_uuid(), c.court_id, c.organization_id,
       (%(court_keys)s::bigint[])[array_position(%(courts)s::bigint[], c.court_id)],
       c.court_case_no, 'entrusted', c.applicant_name, c.applicant_type, c.applicant_phone, '',
       '金融机构', 'X', c.respondent_id, c.business_type, '诉讼请求', c.amount,
       repeat('0', 64), c.created_at, 'accepted', c.created_at, NULL, '', c.id
FROM cases_case c
WHERE c.id > %(case_base)s AND c.id <= %(case_base)s + %(n)s AND c.channel = 'court'
"""

_FEEDBACK_ENDED = """
    FROM cases_case c JOIN courts_entrustment e ON e.case_id = c.id
    WHERE c.id > %(case_base)s AND c.id <= %(case_base)s + %(n)s AND c.channel = 'court'
      AND c.state IN ('agreement', 'failed', 'terminated', 'withdrawn', 'not_mediated',
                      'closed')
"""

_FEEDBACK_DEADLINES_SQL = f"""
INSERT INTO deadlines_deadline (
    case_id, kind, subject, starts_on, count, length_days, extension_days, due_on,
    provisional, status, met_at, closed_at, reminders_sent, escalated_at, created_at,
    updated_at
)
SELECT c.id, 'court_feedback', '', c.state_changed_at::date, 'working', 3, 0,
       c.state_changed_at::date + 5, false,
       CASE WHEN c.state_changed_at > %(now)s::timestamptz - interval '5 days' THEN 'open'
            WHEN c.id %% 10 = 0 THEN 'missed' ELSE 'met' END,
       CASE WHEN c.state_changed_at > %(now)s::timestamptz - interval '5 days' THEN NULL
            WHEN c.id %% 10 = 0 THEN c.state_changed_at + interval '8 days'
            ELSE c.state_changed_at + interval '2 days' END,
       NULL, '[]'::jsonb, NULL, c.state_changed_at, c.state_changed_at
{_FEEDBACK_ENDED}
"""

_FEEDBACK_JOIN = (
    "JOIN deadlines_deadline dl ON dl.case_id = c.id AND dl.kind = 'court_feedback' WHERE"
)
_FEEDBACK_SQL = f"""
INSERT INTO courts_courtfeedback (
    entrustment_id, outcome, due_at, deadline_id, letter_id, sent_at, sent_by_id,
    materials_returned_at, materials_returned_by_id, return_method, return_note
)
SELECT e.id, CASE WHEN c.state = 'closed' THEN 'agreement' ELSE c.state END,
       c.state_changed_at, dl.id, NULL, dl.met_at, NULL, dl.met_at, NULL,
       CASE WHEN dl.met_at IS NULL THEN '' ELSE 'platform' END, ''
{_FEEDBACK_ENDED.replace("WHERE", _FEEDBACK_JOIN)}
"""


def _agreements(seeded: Seeded, today: datetime.date) -> None:
    """A small-claim memorandum between every organization and each of the ten largest
    institutions, and one API key per court."""
    memoranda = [
        Memorandum(
            organization_id=organization_id,
            institution_id=institution_id,
            threshold=Decimal("50000"),
            business_types=[],
            dispute_natures=[],
            valid_from=today - datetime.timedelta(days=4 * 365),
            valid_to=today + datetime.timedelta(days=365),
            signed_on=today - datetime.timedelta(days=4 * 365),
            answer_days=10,
            created_by_id=admin_id,
        )
        for organization_id, admin_id in zip(seeded.organizations, seeded.admins, strict=True)
        for institution_id in seeded.institutions[:N_TOP_INSTITUTIONS]
    ]
    seeded.memoranda = [m.pk for m in Memorandum.objects.bulk_create(memoranda)]
    keys = CourtKey.objects.bulk_create(
        CourtKey(court_id=court_id, key_id=f"bench-{seeded.tag}-{court_id}", secret="s")  # noqa: S106
        for court_id in seeded.courts
    )
    seeded.court_keys = [k.pk for k in keys]


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _bump_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def seed(
    n_cases: int, *, tag: str = "B", now: datetime.datetime | None = None, rng_seed: float = 0.42
) -> Seeded:
    """Write the organizations, people, ``n_cases`` cases, their chains and time limits in one
    transaction. ``tag`` (capital letters) prefixes the organization codes and case numbers, so
    that a second seeding in the same database does not collide."""
    import time

    now = now or timezone.now()
    with transaction.atomic():
        started = time.monotonic()
        seeded = _organizations(tag)
        _people(seeded)
        _agreements(seeded, now.date())
        seeded.seconds["organizations and people"] = time.monotonic() - started
        case_base, chain_base = _next_id("cases_case"), _next_id("audit_tracechain")
        phone_field = Case._meta.get_field("applicant_phone")
        region_of = {r: i + 1 for i, r in enumerate(REGIONS)}
        orgs = Organization.objects.in_bulk(seeded.organizations)
        regulators = Organization.objects.in_bulk(seeded.regulators)
        courts = Organization.objects.in_bulk(seeded.courts)

        def by_region(rows: dict[int, Organization]) -> list[int | None]:
            found = {region_of[o.region]: pk for pk, o in rows.items()}
            return [found.get(i + 1) for i in range(len(REGIONS))]

        params = {
            "n": n_cases,
            "tag": tag,
            "now": now,
            "n_orgs": len(seeded.organizations),
            "n_inst": len(seeded.institutions),
            "n_products": N_PRODUCTS,
            "n_types": len(BUSINESS_TYPES),
            "per_org": MEDIATORS_PER_ORGANIZATION,
            "orgs": seeded.organizations,
            "org_region": [region_of[orgs[pk].region] for pk in seeded.organizations],
            "institutions": seeded.institutions,
            "regulators": seeded.regulators,
            "courts": seeded.courts,
            "region_regulators": by_region(regulators),
            "region_courts": by_region(courts),
            "mediators": seeded.mediators,
            "business_types": [str(t) for t in BUSINESS_TYPES],
            "phone": phone_field.get_prep_value("13800138000"),
            "phone_lookup": crypto.lookup_hash("13800138000"),
            "case_base": case_base,
            "chain_base": chain_base,
            "genesis": GENESIS_HASH,
            "n_top": N_TOP_INSTITUTIONS,
            "top_institutions": seeded.institutions[:N_TOP_INSTITUTIONS],
            "memoranda": seeded.memoranda,
            "court_keys": seeded.court_keys,
        }
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [rng_seed])
            for name, sql in (
                ("cases", _CASES_SQL),
                ("trace chains", _CHAINS_SQL),
                ("trace events", _EVENTS_SQL),
                ("time limits", _DEADLINES_SQL),
                ("proposal documents", _DOCUMENTS_SQL),
                ("proposal document versions", _VERSIONS_SQL),
                ("small-claim proposals", _PROPOSALS_SQL),
                ("entrustments", _ENTRUSTMENTS_SQL),
                ("feedback time limits", _FEEDBACK_DEADLINES_SQL),
                ("court feedback", _FEEDBACK_SQL),
            ):
                started = time.monotonic()
                cursor.execute(sql, params)
                seeded.rows[name] = cursor.rowcount
                seeded.seconds[name] = time.monotonic() - started
        seeded.cases = seeded.rows["cases"]
        seeded.deadlines = seeded.rows["time limits"]
        for table in ("cases_case", "audit_tracechain"):
            _bump_sequence(table)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")
    seeded.seconds["analyze"] = time.monotonic() - started
    return seeded
