"""`accord verify-case`: intact chains pass, every kind of tampering is named."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accord.audit.models import TraceChain
from accord.audit.services import trace_chain_create
from tests.audit.conftest import append

REPO = Path(__file__).resolve().parents[2]
CASE_NO = "TST-2026-00001"


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """What an attacker with database access could do: switch the guard off."""
    if connection.vendor != "postgresql":
        pytest.skip("tampering is staged on PostgreSQL")
    # Replica mode skips ordinary triggers (a superuser's privilege), like
    # ALTER TABLE ... DISABLE TRIGGER but without waiting on deferred FK checks.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def run(case_no: str = CASE_NO) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("verify_case", case_no, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken(case_no: str = CASE_NO) -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case", case_no, stdout=StringIO(), stderr=err)
    return err.getvalue()


def sql(statement: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_case_passes_with_a_summary(filled_chain):
    out, _ = run()
    assert f"OK case {CASE_NO}: 5 events intact" in out


def test_an_unknown_case_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no case 'NOPE-2026-00001'"):
        run("NOPE-2026-00001")


def test_a_changed_payload_is_named_by_its_event(filled_chain):
    with triggers_disabled():
        sql(
            "UPDATE audit_traceevent SET payload = %s WHERE chain_id = %s AND seq = 3",
            ['{"index": 99, "note": "forged"}', filled_chain.pk],
        )
    assert "event 3: content changed" in broken()


def test_a_deleted_event_is_named(filled_chain):
    with triggers_disabled():
        sql("DELETE FROM audit_traceevent WHERE chain_id = %s AND seq = 2", [filled_chain.pk])
    assert "event 2: missing or out of order" in broken()


def test_two_reordered_events_are_caught(filled_chain):
    with triggers_disabled():
        for old, new in ((3, 1000), (4, 3), (1000, 4)):  # the unique (chain, seq) holds
            sql(
                "UPDATE audit_traceevent SET seq = %s WHERE chain_id = %s AND seq = %s",
                [new, filled_chain.pk, old],
            )
    assert "event 3: prev_hash" in broken()


def test_a_cut_off_tail_is_caught_by_the_head(filled_chain):
    with triggers_disabled():
        sql("DELETE FROM audit_traceevent WHERE chain_id = %s AND seq = 5", [filled_chain.pk])
    assert "chain head: head says seq 5" in broken()


def test_a_rewritten_hash_is_caught_at_the_next_link(filled_chain):
    with triggers_disabled():
        sql(
            "UPDATE audit_traceevent SET hash = %s WHERE chain_id = %s AND seq = 2",
            ["f" * 64, filled_chain.pk],
        )
    assert "event 2: content changed" in broken()


@pytest.mark.django_db(transaction=True)
def test_the_console_script_exits_0_when_intact_and_1_when_broken():
    chain = trace_chain_create(key=f"case:{CASE_NO}")
    for index in range(3):
        append(chain, "test.step", index=index)
    settings_db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings_db['USER']}:{settings_db['PASSWORD']}@{settings_db['HOST']}:"
            f"{settings_db['PORT']}/{settings_db['NAME']}"
        ),
    }
    if connection.vendor != "postgresql":
        pytest.skip("the console script is exercised against the PostgreSQL test database")
    accord = Path(sys.executable).parent / "accord"

    intact = subprocess.run(
        [accord, "verify-case", CASE_NO], env=env, capture_output=True, text=True, timeout=60
    )
    assert intact.returncode == 0, intact.stderr
    assert "3 events intact" in intact.stdout

    with triggers_disabled():
        sql(
            "UPDATE audit_traceevent SET action = 'forged' WHERE chain_id = %s AND seq = 2",
            [chain.pk],
        )
    tampered = subprocess.run(
        [accord, "verify-case", CASE_NO], env=env, capture_output=True, text=True, timeout=60
    )
    assert tampered.returncode == 1
    assert "event 2: content changed" in tampered.stderr
    assert TraceChain.objects.get(pk=chain.pk).head_seq == 3
