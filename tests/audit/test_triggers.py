"""The database itself refuses to rewrite or delete trace events."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from accord.audit.models import TraceChain, TraceEvent

REPO = Path(__file__).resolve().parents[2]


def test_updating_an_event_is_refused_by_the_database(filled_chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TraceEvent.objects.filter(chain=filled_chain, seq=2).update(payload={"forged": True})
    assert TraceEvent.objects.get(chain=filled_chain, seq=2).payload["index"] == 1


def test_deleting_an_event_is_refused_by_the_database(filled_chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TraceEvent.objects.filter(chain=filled_chain, seq=5).delete()
    assert TraceEvent.objects.filter(chain=filled_chain).count() == 5


def test_a_chain_head_cannot_be_moved_back(filled_chain):
    with pytest.raises(DatabaseError, match="advance by one"), transaction.atomic():
        TraceChain.objects.filter(pk=filled_chain.pk).update(head_seq=3)
    filled_chain.refresh_from_db()
    assert filled_chain.head_seq == 5


def test_a_chain_cannot_be_deleted(filled_chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_tracechain WHERE id = %s", [filled_chain.pk])
    assert TraceChain.objects.filter(pk=filled_chain.pk).exists()


def test_sqlite_refuses_update_and_delete_too(tmp_path):
    """The embedded default (SQLite) gets its own triggers from the same migration."""
    db_file = tmp_path / "accord.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "ACCORD_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, str(REPO / "backend" / "manage.py"), "migrate", "audit", "-v", "0"],
        check=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    db = sqlite3.connect(db_file)
    db.execute(
        "INSERT INTO audit_tracechain (key, head_seq, head_hash, created_at) "
        "VALUES ('case:X', 0, 'h', '2026-01-01')"
    )
    db.execute(
        "INSERT INTO audit_traceevent (chain_id, seq, action, actor, payload, occurred_at, "
        "prev_hash, hash) VALUES (1, 1, 'a', '{}', '{}', '2026-01-01', 'p', 'h')"
    )
    db.commit()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_traceevent SET action = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_traceevent")
    with pytest.raises(sqlite3.IntegrityError, match="advance by one"):
        db.execute("UPDATE audit_tracechain SET head_seq = 5")
    db.execute("UPDATE audit_tracechain SET head_seq = 1")  # advancing by one is allowed
    assert db.execute("SELECT action FROM audit_traceevent").fetchone() == ("a",)
