"""The case timeline: every action appended to a case's chain has words (in both languages),
replays and downloads show who and when, and recording segments are one line per hearing."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.models import Case, CaseState
from accord.cases.selectors import ACTION_LABELS, case_timeline
from accord.cases.services import material_upload
from accord.orgs.models import Role
from accord.replay.access import Access
from accord.replay.services import media_downloaded, replay_opened
from accord.rooms.models import ParticipantRole
from accord.rooms.services import session_schedule
from tests.cases.conftest import member
from tests.factories import UserFactory
from tests.rooms.conftest import hearing  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ACCORD = Path(__file__).resolve().parents[2] / "backend" / "accord"
# Not after ``kind=``: a notice's kind (accord.inbox) names what it tells about, not an event.
CASE_CHAIN_ACTION = re.compile(
    r'(?<!kind=)"((?:case|evidence|session|room|recording|replay|deadline|recusal|conflict|feedback)'
    r'\.[a-z_]+)"'
)


def appended_case_actions() -> set[str]:
    """The case-chain actions named in the modules that append to the trace."""
    found: set[str] = set()
    for path in ACCORD.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        appends = "trace_append(" in source and "import trace_append" in source
        # The case services append through ``case_trace`` (trace + case-event hooks).
        if not appends and "case_trace(" not in source:
            continue
        found |= set(CASE_CHAIN_ACTION.findall(source))
    # case_transition appends f"case.{target}".
    found |= {f"case.{state.value}" for state in CaseState if state != CaseState.SUBMITTED}
    return found


def test_every_action_appended_to_a_case_has_a_label():
    actions = appended_case_actions()
    # The scan finds the new hearing and recording actions, not only the old ones.
    assert {
        "room.joined",
        "recording.segment",
        "recording.hold_placed",
        "case.exported",
        "case.mediator_replaced",
        "case.answered",
        "case.transfer_accepted",
        "deadline.recomputed",
        "recusal.granted",
        "conflict.overridden",
        "feedback.submitted",
    } <= actions
    assert actions - set(ACTION_LABELS) == set()


def test_every_label_is_translated_to_chinese():
    untranslated = []
    for action, label in ACTION_LABELS.items():
        english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        if chinese == english:
            untranslated.append(action)
    assert untranslated == []


def append(case: Case, action: str, actor: Actor, payload: dict[str, Any]) -> None:
    with transaction.atomic():
        trace_append(chain=case.chain, action=action, actor=actor, payload=payload)


def segment(case: Case, session_id: str, n: int) -> None:
    append(
        case,
        "recording.segment",
        Actor.system("media-worker:mw-1"),
        {"session_id": session_id, "key": f"{session_id}/1/microphone/{n:04d}.webm"},
    )


def test_segments_are_one_line_per_hearing(hearing, mia):  # noqa: F811
    case = hearing.case
    other = session_schedule(
        case=case,
        scheduled_at=timezone.now(),
        duration_minutes=30,
        title="第二次调解",
        participants=[(mia, ParticipantRole.MEDIATOR)],
        by=mia,
    )
    session_id = str(hearing.pk)
    for n in range(12):
        segment(case, session_id, n)
    append(case, "room.left", Actor.for_user(mia, role="mediator"), {"session_id": session_id})
    for n in range(13):
        segment(case, session_id, 12 + n)
    segment(case, str(other.pk), 0)

    timeline = case_timeline(case=case)
    summaries = [e for e in timeline if e.action == "recording.segment"]
    assert [(e.count, e.detail) for e in summaries] == [(25, "第一次调解"), (1, "第二次调解")]
    first = summaries[0]
    assert first.label == "25 recording segments registered"
    assert first.last_seq is not None and first.last_seq - first.seq == 25  # room.left between
    assert first.until is not None and first.until >= first.occurred_at
    assert summaries[1].label == "Recording segment registered"
    assert summaries[1].last_seq is None
    # The other events stay, in order, around the summary.
    actions = [e.action for e in timeline]
    assert actions.index("recording.segment") < actions.index("room.left")

    ada_page = page(case, mia, "/en")
    assert ada_page.count("25 recording segments registered") == 1
    assert "Recording segment registered" in ada_page  # the single one of the second hearing
    # Hashes and sequence numbers are for the verification page, not for people.
    assert f"#{first.seq}" not in ada_page and first.hash[:12] not in ada_page
    assert "登记录像分段 25 个" in page(case, mia, "")


def page(case: Case, user: User, prefix: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"{prefix}/cases/{case.case_no}/")
    assert response.status_code == 200
    return response.content.decode()


def test_replays_and_downloads_show_who_and_when(hearing, ada, alice):  # noqa: F811
    case = hearing.case
    audrey = member(
        UserFactory(username="audrey", display_name="Audrey"), Role.AUDITOR, case.organization
    )
    access = Access(case_id=case.pk, include_caucus=True, via="auditor")
    replayed = replay_opened(session=hearing, user=audrey, access=access)
    downloaded = media_downloaded(
        case=case,
        user=audrey,
        what={"session_id": str(hearing.pk), "key": f"{hearing.pk}/final/7.webm", "size": 1},
    )
    entries = {e.seq: e for e in case_timeline(case=case)}
    replay_entry, download_entry = entries[replayed.seq], entries[downloaded.seq]
    assert (replay_entry.label, replay_entry.actor, replay_entry.role) == (
        "Recording replayed",
        "Audrey",
        "Auditor",
    )
    assert replay_entry.occurred_at == replayed.occurred_at
    assert replay_entry.detail == "第一次调解"
    assert download_entry.label == "Recording or package file downloaded"
    assert download_entry.actor == "Audrey"
    assert download_entry.detail == "第一次调解 · 7.webm"

    english = page(case, ada, "/en")
    assert "Recording replayed" in english and "Audrey (Auditor)" in english
    when = timezone.localtime(replayed.occurred_at).strftime("%Y-%m-%d %H:%M:%S")
    assert when in english
    chinese = page(case, alice, "")
    assert "回放录像" in chinese and "下载录像或证据包文件" in chinese and "Audrey" in chinese
    assert "recording.replayed" not in chinese  # words, not event codes


def test_payload_dependent_words(hearing, mia, ada, alice):  # noqa: F811
    case = hearing.case
    as_mia = Actor.for_user(mia, role="mediator")
    append(case, "room.muted", as_mia, {"session_id": str(hearing.pk), "muted": True})
    append(case, "room.muted", as_mia, {"session_id": str(hearing.pk), "muted": False})
    append(
        case,
        "recording.interrupted",
        Actor.system("media-worker:mw-1"),
        {"session_id": str(hearing.pk), "reason": "worker_restart"},
    )
    append(
        case,
        "replay.granted",
        Actor.for_user(ada, role="org_admin"),
        {"user_id": alice.pk},
    )
    timeline = case_timeline(case=case)
    muted = [e.label for e in timeline if e.action == "room.muted"]
    assert muted == ["Participant muted", "Participant unmuted"]
    (interrupted,) = [e for e in timeline if e.action == "recording.interrupted"]
    assert interrupted.reason == "the media worker restarted"
    assert (interrupted.actor, interrupted.role) == ("Recording service", "")
    (granted,) = [e for e in timeline if e.action == "replay.granted"]
    assert granted.detail == "Alice"
    assert granted.role == "Organization administrator"
    with translation.override("zh-hans"):
        (interrupted,) = [
            e for e in case_timeline(case=case) if e.action == "recording.interrupted"
        ]
        assert interrupted.reason == "媒体服务重启"
        assert interrupted.label == "录制中断"


def test_people_read_names_roles_and_words_and_hashes_are_on_the_verification_page(
    hearing,  # noqa: F811
    ada,
    alice,
    mia,
):
    """No event codes, hash prefixes, usernames, phone numbers or MIME types on the case
    page; the verification page lists each event's full hash."""
    case = hearing.case
    User.objects.filter(pk=alice.pk).update(display_name="")  # an applicant who never named
    alice.refresh_from_db()
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    material_upload(case=case, user=alice, name="合同.pdf", stream=io.BytesIO(pdf), size=len(pdf))
    append(case, "case.exported", Actor.system("export-case"), {"via": "cli"})

    timeline = case_timeline(case=case)
    submitted = timeline[0]
    # The applicant without a display name is shown by the case's applicant name.
    assert (submitted.actor, submitted.role) == (case.applicant_name, "Applicant")
    (uploaded,) = [e for e in timeline if e.action == "evidence.uploaded"]
    assert uploaded.detail == "合同.pdf · PDF document"
    (exported,) = [e for e in timeline if e.action == "case.exported"]
    assert (exported.actor, exported.role) == ("Evidence export by the operator", "")

    for prefix in ("/en", ""):
        html = page(case, mia, prefix)
        html = html[html.index('<ol class="timeline">') :]
        for raw in ("case.submitted", "evidence.uploaded", "application/pdf", "export-case"):
            assert raw not in html, (prefix, raw)
        assert alice.phone not in html and alice.username not in html and "mia" not in html
        assert all(entry.hash[:12] not in html for entry in timeline)
    chinese = page(case, mia, "")
    assert (
        "PDF 文档" in chinese and "由 Mia（调解员）" in chinese and "application/pdf" not in chinese
    )

    client = Client()
    client.force_login(ada)
    verification = client.get(f"/en/cases/{case.case_no}/verify/").content.decode()
    assert all(entry.hash in verification for entry in timeline)
    assert "application: on file" in verification
