"""Evidence package tests reuse the case tests' cast (alice applies, ada administers FMC, mia
mediates, ben is the bank, cleo a court clerk, charlie has no business here) and add an
auditor of FMC, a case in mediation with a hearing and two evidence files, and helpers
to run the shipped verifier the way a court would: system Python, isolated, no site."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accord.accounts.models import User
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState, Material
from accord.orgs.models import Role
from accord.rooms.models import HearingSession, ParticipantRole
from accord.rooms.services import session_schedule
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    cleo,
    court,
    drive,
    evidence_bucket,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PDF2 = PDF.replace(b"1 0 obj", b"2 0 obj")


@pytest.fixture
def audrey(org) -> User:  # noqa: F811
    """An auditor of FMC, the case's mediation organization."""
    return member(UserFactory(username="audrey", display_name="Audrey"), Role.AUDITOR, org)


@pytest.fixture
def mediating(case, drive) -> Case:  # noqa: F811
    drive(case, CaseState.MEDIATING)
    case.refresh_from_db()
    return case


@pytest.fixture
def hearing(mediating: Case, mia: User, alice: User, ben: User) -> HearingSession:  # noqa: F811
    return session_schedule(
        case=mediating,
        scheduled_at=timezone.now(),
        duration_minutes=60,
        title="第一次调解",
        participants=[
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
        by=mia,
    )


def upload(case: Case, user: User, data: bytes, name: str) -> Material:  # noqa: F811
    return case_services.material_upload(
        case=case, user=user, name=name, stream=io.BytesIO(data), size=len(data)
    )


@pytest.fixture
def documented(mediating: Case, alice: User, mia: User) -> Case:  # noqa: F811
    """The case in mediation with two evidence files (one with a Chinese name)."""
    upload(mediating, alice, PDF, "借款合同.pdf")
    upload(mediating, mia, PDF2, "statement.pdf")
    mediating.refresh_from_db()
    return mediating


def system_python() -> str:
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).exists():
            return candidate
    return sys.executable


def run_verifier(package: Path, verifier: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python3 -I -S verify.py <package>``: no site-packages, no PYTHONPATH, no cwd on the
    path. The verifier is the one inside the package, extracted next to it."""
    if verifier is None:
        verifier = package.with_name("verify.py")
        with zipfile.ZipFile(package) as archive:
            verifier.write_bytes(archive.read("verify.py"))
    return subprocess.run(
        [system_python(), "-I", "-S", str(verifier), str(package)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=package.parent,
    )


def rewrite_zip(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """A copy of ``source`` with members replaced (bytes) or dropped (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    new.writestr(info, replacement)
                continue
            new.writestr(info, old.read(info.filename))


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """What an attacker with database access could do (as tests/audit stage it)."""
    if connection.vendor != "postgresql":
        pytest.skip("tampering is staged on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def sql(statement: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
