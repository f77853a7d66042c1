"""The permission matrix's worlds (issue 13): built once per module with real services.

World A is the case every role is asked about: alice applies against BANK (ben is its staff)
at the mediation organization FMC (ada administers it, mia mediates the case, audrey audits
it, eve is its independent expert); the case was entrusted by a court (cleo is its clerk,
holding a plenary replay grant; the court docks with FMC, has a key and a message from Accord
that was given up on) and referred by a regulator (olga is its officer). nora is a
notary, root the system administrator, otto signs in with no role at all, and the "other
organization" column is world B's administrator, who also mediates there (another
organization, another region). World B is the same shape at that other organization: its
objects are what the object-level checks put into world A's URLs.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState, Consultation, Material
from accord.core.storage import ensure_buckets, s3_client
from accord.courts.models import CallbackStatus, CourtCallback, CourtDocking, CourtKey
from accord.orgs.models import Membership, Organization, OrgKind, Role
from accord.recordings.models import Audience, RecordingFile, RecordingManifest, Source
from accord.replay.models import ReplayGrant
from accord.replay.services import replay_grant
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant
from accord.rooms.services import session_schedule
from tests.cases.conftest import evidence_bucket  # noqa: F401  (session fixture)
from tests.cases.factories import CaseApplicantFactory, make_application
from tests.factories import InstitutionFactory, OrganizationFactory, UserFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# The columns of the matrix: every role, an outsider, an anonymous visitor, another org's user.
ROLES = (
    "anonymous",
    "outsider",
    "applicant",
    "institution_staff",
    "mediator",
    "org_admin",
    "expert",
    "court_clerk",
    "regulator",
    "notary",
    "auditor",
    "sysadmin",
    "other_org",
)


@dataclass
class World:
    """One organization's case with everything hung on it; ``kwargs`` fills URL patterns."""

    tag: str
    org: Organization
    bank: Organization
    court: Organization
    regulator: Organization
    users: dict[str, User]
    case: Case
    hearing: HearingSession
    participant: SessionParticipant
    file: RecordingFile
    grant: ReplayGrant
    consultation: Consultation
    material: Material
    membership: Membership
    kwargs: dict[str, Any] = field(default_factory=dict)


def _org(kind: str, code: str, name: str, region: str) -> Organization:
    made = OrganizationFactory(kind=kind, code=code, name=name, region=region)
    assert isinstance(made, Organization)
    return made


def _user(username: str, role: str | None, organization: Organization | None) -> User:
    made = UserFactory(username=username, display_name=username.title())
    assert isinstance(made, User)
    if role is not None:
        Membership.objects.create(user=made, organization=organization, role=role)
    return made


def build_world(tag: str, region: str, phone_base: int) -> World:
    """A case in mediation with a hearing, a final recording file in the real recordings
    bucket, a plenary replay grant to the court clerk, an evidence file and a consultation."""
    org = _org(OrgKind.FINANCIAL_MEDIATION, f"{tag}MC", f"{tag}调解中心", region)
    bank_made = InstitutionFactory(code=f"{tag}BANK", name=f"{tag}银行", region=region)
    assert isinstance(bank_made, Organization)
    bank = bank_made
    court = _org(OrgKind.COURT, f"{tag}CRT", f"{tag}法院", region)
    regulator = _org(OrgKind.REGULATOR, f"{tag}REG", f"{tag}监管局", region)
    notary_office = _org(OrgKind.NOTARY_OFFICE, f"{tag}NOT", f"{tag}公证处", region)
    low = tag.lower()
    applicant = CaseApplicantFactory(
        username=f"{low}-alice", phone=f"139{phone_base:08d}", display_name=f"{tag} Alice"
    )
    assert isinstance(applicant, User)
    users: dict[str, User] = {
        "applicant": applicant,
        "institution_staff": _user(f"{low}-ben", Role.INSTITUTION_STAFF, bank),
        "mediator": _user(f"{low}-mia", Role.MEDIATOR, org),
        "org_admin": _user(f"{low}-ada", Role.ORG_ADMIN, org),
        "expert": _user(f"{low}-eve", Role.EXPERT, org),
        "court_clerk": _user(f"{low}-cleo", Role.COURT_CLERK, court),
        "regulator": _user(f"{low}-olga", Role.REGULATOR_OFFICER, regulator),
        "notary": _user(f"{low}-nora", Role.NOTARY, notary_office),
        "auditor": _user(f"{low}-audrey", Role.AUDITOR, org),
        "sysadmin": _user(f"{low}-root", Role.SYSADMIN, None),
        "outsider": _user(f"{low}-otto", None, None),
    }
    application = make_application(
        organization=org, respondent=bank, applicant_phone=f"139{phone_base:08d}"
    )
    case = case_services.case_apply(applicant=applicant, application=application)
    ada, mia = users["org_admin"], users["mediator"]
    case_services.case_transition(case=case, user=ada, to=CaseState.ACCEPTED)
    case_services.case_transition(case=case, user=ada, to=CaseState.ASSIGNED, mediator=mia)
    case_services.case_transition(case=case, user=mia, to=CaseState.MEDIATING)
    Case.objects.filter(pk=case.pk).update(court=court, referred_by=regulator)
    case.refresh_from_db()
    material = case_services.material_upload(
        case=case, user=applicant, name="借款合同.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    hearing = session_schedule(
        case=case,
        scheduled_at=timezone.now(),
        duration_minutes=60,
        title="第一次调解",
        participants=[
            (mia, ParticipantRole.MEDIATOR),
            (applicant, ParticipantRole.APPLICANT),
            (users["institution_staff"], ParticipantRole.RESPONDENT),
        ],
        by=mia,
        notify=False,
    )
    participant = SessionParticipant.objects.get(session=hearing, user=applicant)
    file = _recording(hearing, participant)
    grant = replay_grant(
        case=case,
        user=users["court_clerk"],
        by=ada,
        include_caucus=False,
        expires_at=timezone.now() + timedelta(days=7),
    )
    consultation = case_services.consultation_create(
        asker=applicant,
        topic="consultation",
        organization=org,
        respondent=bank,
        business_type="wealth_management",
        description="理财产品的风险等级是否应当告知？",
        contact_name="张三",
        contact_phone=f"139{phone_base:08d}",
    )
    membership = Membership.objects.get(user=mia, organization=org, role=Role.MEDIATOR)
    # The court docks with the organization: a key, and a message to it that was given up on.
    court_key = CourtKey.objects.create(court=court, key_id=f"ck_{low}", secret=f"s-{low}")
    CourtDocking.objects.create(court=court, default_organization=org)
    dead_letter = CourtCallback.objects.create(
        court=court,
        organization=org,
        kind="entrustment.accepted",
        body={},
        status=CallbackStatus.DEAD,
        attempts=8,
        next_attempt_at=timezone.now(),
    )
    world = World(
        tag=tag,
        org=org,
        bank=bank,
        court=court,
        regulator=regulator,
        users=users,
        case=case,
        hearing=hearing,
        participant=participant,
        file=file,
        grant=grant,
        consultation=consultation,
        material=material,
        membership=membership,
    )
    world.kwargs = {
        "case_no": case.case_no,
        "session_id": hearing.pk,
        "participant_id": participant.pk,
        "file_id": file.pk,
        "grant_id": grant.pk,
        "consultation_id": consultation.pk,
        "evidence_uuid": material.uuid,
        "code": org.code,
        "membership_id": membership.pk,
        "court_code": court.code,
        "key_pk": court_key.pk,
        "callback_id": dead_letter.pk,
    }
    return world


def _recording(hearing: HearingSession, participant: SessionParticipant) -> RecordingFile:
    """A participant's final file, stored as finalize stores it."""
    data = secrets.token_bytes(4096)
    key = f"{hearing.pk}/final/{participant.pk}.webm"
    s3_client().put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), length=len(data))
    RecordingManifest.objects.create(
        session=hearing,
        version=1,
        key=f"{hearing.pk}/manifest.json",
        size=2,
        sha256=hashlib.sha256(b"{}").hexdigest(),
    )
    now = timezone.now()
    return RecordingFile.objects.create(
        session=hearing,
        participant=participant,
        source=Source.AV,
        audience=Audience.ALL,
        version=1,
        key=key,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        duration_ms=60_000,
        spans=[
            {
                "wall_start": now.isoformat(),
                "wall_end": (now + timedelta(minutes=1)).isoformat(),
                "file_start_ms": 0,
                "duration_ms": 60_000,
                "group": "plenary",
            }
        ],
        speaking=[],
    )


@dataclass
class Worlds:
    a: World
    b: World


@pytest.fixture(scope="module")
def worlds(
    django_db_setup: None,
    django_db_blocker: Any,
    evidence_bucket: str,  # noqa: F811
) -> Iterator[Worlds]:
    """Both worlds, built once for the module inside a transaction rolled back at its end
    (each test's own transaction nests in it as a savepoint)."""
    ensure_buckets([settings.S3_BUCKET_RECORDINGS, settings.S3_BUCKET_DOCUMENTS])
    with django_db_blocker.unblock(), transaction.atomic():
        a = build_world("A", "上海市", 1)
        b = build_world("B", "北京市", 2)
        # "A user of another organization or region": world B's administrator and mediator.
        charlie = b.users["org_admin"]
        Membership.objects.create(user=charlie, organization=b.org, role=Role.MEDIATOR)
        a.users["other_org"] = charlie
        b.users["other_org"] = a.users["org_admin"]
        yield Worlds(a=a, b=b)
        transaction.set_rollback(True)
