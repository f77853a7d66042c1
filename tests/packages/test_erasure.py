"""Erasing a person's personal data after the retention period (PIPL): the trace stays
intact (`accord verify-case` and the package's offline verify.py pass), and the person's
phone number, name, ID number, IP address and file names are gone from the database."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone, translation

from accord.accounts.models import User
from accord.accounts.services import person_erase
from accord.accounts.services.lockout import trace_signed_in
from accord.audit.actors import Actor
from accord.audit.erasure import personal_data_retention
from accord.audit.models import PersonalKey, PersonalValue, TraceEvent
from accord.audit.personal import case_subject, user_subject
from accord.audit.verify import verify_all
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState, Material
from accord.cases.selectors import case_timeline
from accord.core.api import ServiceError
from accord.core.heartbeats import redis_client
from accord.packages.export import export_case_to_path
from accord.recordings.services import session_flushed
from accord.rooms import live
from accord.rooms import services as rooms
from accord.rooms.models import HearingSession, SessionParticipant
from media_contract.registration import FlushedReport
from tests.packages.conftest import run_verifier

pytestmark = pytest.mark.django_db

ERASER = Actor.system("erase-person")
IP = "203.0.113.77"
ID_NUMBER = "11010519491231002X"


def participant(hearing: HearingSession, user: User) -> SessionParticipant:
    return SessionParticipant.objects.select_related("session__case", "user").get(
        session=hearing, user=user
    )


@pytest.fixture
def heard(documented: Case, hearing: HearingSession, alice: User, mia: User) -> Case:
    """The documented case after a hearing in which alice said her number, then closed."""
    Case.objects.filter(pk=documented.pk).update(applicant_id_number=ID_NUMBER)
    for p in hearing.participants.select_related("session__case", "user"):
        rooms.notice_acknowledge(participant=p)
    mediator, applicant = participant(hearing, mia), participant(hearing, alice)
    rooms.room_join(participant=mediator)
    rooms.room_join(participant=applicant)
    rooms.room_admit(by=mediator, participant_id=applicant.pk)
    rooms.room_chat(by=applicant, text="我的电话是 13900000001")
    rooms.room_end(by=mediator)
    # The recording started by itself when alice was admitted; the worker then reports that
    # it holds nothing more (it recorded no media here), as it does after every hearing.
    # (The room was placed on worker-1: accord.rooms.live.room_place records that.)
    redis_client().sadd(live.assignments_key(str(hearing.pk)), "worker-1")
    session_flushed(report=FlushedReport(session=hearing.pk, worker="worker-1"), by="worker-1")
    with transaction.atomic():
        trace_signed_in(user=alice, method="link", client_ip=IP)
    case_services.case_transition(
        case=documented, user=mia, to=CaseState.AGREEMENT, reason="达成协议"
    )
    case_services.case_transition(case=documented, user=mia, to=CaseState.CLOSED)
    documented.refresh_from_db()
    return documented


def after_retention() -> Any:
    return timezone.now() + personal_data_retention() + timedelta(days=1)


def database_text() -> str:
    """Every text and JSON value of every table (``label: value`` lines), to search."""
    values: list[str] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                values.extend(
                    json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row
                )
    return "\n".join(values)


def test_erasure_waits_for_the_end_of_the_retention_period(heard, alice):
    with pytest.raises(ServiceError) as refused:
        person_erase(user=alice, actor=ERASER)
    assert refused.value.code == "still_needed"
    alice.refresh_from_db()
    assert alice.erased_at is None and alice.phone == "13900000001"


def test_erasure_refuses_while_a_case_is_open(documented, alice):
    with pytest.raises(ServiceError) as refused:
        person_erase(user=alice, actor=ERASER, now=after_retention())
    assert refused.value.code == "still_needed"
    assert documented.case_no in refused.value.message


def test_erasing_a_person_leaves_every_chain_verifiable_and_their_data_gone(
    heard, hearing, alice, tmp_path
):
    secrets = ["13900000001", "张三", "Alice", ID_NUMBER, IP, "借款合同"]
    before = database_text()
    assert all(secret in before for secret in secrets)  # the test would see them
    events_before = TraceEvent.objects.count()

    erasure = person_erase(user=alice, actor=ERASER, now=after_retention())

    assert set(erasure.subjects) == {user_subject(alice.pk), case_subject(heard.case_no)}
    assert erasure.values_destroyed > 0
    left = [line for line in database_text().splitlines() if any(s in line for s in secrets)]
    assert left == []
    assert not PersonalKey.objects.filter(subject__in=erasure.subjects).exists()
    assert not PersonalValue.objects.filter(key__subject__in=erasure.subjects).exists()
    alice.refresh_from_db()
    assert alice.erased_at is not None and not alice.is_active and alice.phone is None

    # Nothing of the trace was changed; the erasure itself is traced, by ids only.
    assert TraceEvent.objects.count() == events_before + 2
    erased = TraceEvent.objects.get(chain=heard.chain, action="case.particulars_erased")
    assert erased.payload == {"user_id": alice.pk, "file_names": 2}
    assert erased.actor == {"kind": "system", "label": "erase-person"}
    person = TraceEvent.objects.get(chain_id=alice.chain_id, action="person.erased")
    assert person.payload == {"user_id": alice.pk, "subjects": 2}

    out = StringIO()
    call_command("verify_case", heard.case_no, stdout=out)
    assert out.getvalue().startswith(f"OK case {heard.case_no}")
    assert verify_all(heard.chain).objects_checked == 2  # the files are still there, intact
    assert verify_all(alice.chain).ok

    heard.refresh_from_db()
    package = tmp_path / "package.zip"
    export_case_to_path(case=heard, user=None, path=package, via="test")
    result = run_verifier(package)
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(package) as archive:
        manifest = archive.read("manifest.json").decode()
        trace = archive.read("trace.jsonl").decode()
    assert [s for s in secrets if s in manifest or s in trace] == []

    # The timeline still reads, with the person shown as erased and no committed value.
    with translation.override("en"):
        timeline = case_timeline(case=heard)
    assert {e.actor for e in timeline if e.action == "case.submitted"} == {"Erased user"}
    sealed = [present for e in timeline for _name, present in e.sealed]
    assert sealed and not any(sealed)


def test_the_erase_person_command_erases_by_phone(heard, alice, settings):
    settings.ACCORD_PERSONAL_DATA_RETENTION_DAYS = 0
    out = StringIO()
    call_command("erase_person", "--phone", "13900000001", stdout=out)
    assert f"erased user {alice.pk}" in out.getvalue()
    assert not Material.objects.filter(name__contains="借款合同").exists()
    assert verify_all(heard.chain).ok


def test_trace_of_a_case_holds_no_personal_data_in_clear(heard, alice):
    blob = json.dumps(
        [
            [e.actor, e.payload]
            for e in TraceEvent.objects.filter(chain__in=[heard.chain_id, alice.chain_id])
        ],
        ensure_ascii=False,
    )
    for secret in ["13900000001", "张三", "Alice", IP, "借款合同", "alice"]:
        assert secret not in blob
