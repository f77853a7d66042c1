"""Database triggers: events are append-only; a chain head only advances by one."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION accord_trace_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_traceevent is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_traceevent_append_only
    BEFORE UPDATE OR DELETE ON audit_traceevent
    FOR EACH ROW EXECUTE FUNCTION accord_trace_append_only();

CREATE OR REPLACE FUNCTION accord_trace_head_advances() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_tracechain rows are never deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.key <> OLD.key OR NEW.head_seq <> OLD.head_seq + 1 THEN
        RAISE EXCEPTION 'audit_tracechain head may only advance by one'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_tracechain_head_advances
    BEFORE UPDATE OR DELETE ON audit_tracechain
    FOR EACH ROW EXECUTE FUNCTION accord_trace_head_advances();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_tracechain_head_advances ON audit_tracechain;
DROP FUNCTION IF EXISTS accord_trace_head_advances();
DROP TRIGGER IF EXISTS audit_traceevent_append_only ON audit_traceevent;
DROP FUNCTION IF EXISTS accord_trace_append_only();
"""

SQLITE_UP = [
    """CREATE TRIGGER audit_traceevent_no_update BEFORE UPDATE ON audit_traceevent
       BEGIN SELECT RAISE(ABORT, 'audit_traceevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_traceevent_no_delete BEFORE DELETE ON audit_traceevent
       BEGIN SELECT RAISE(ABORT, 'audit_traceevent is append-only: DELETE refused'); END""",
    """CREATE TRIGGER audit_tracechain_head_advances BEFORE UPDATE ON audit_tracechain
       WHEN NEW.key <> OLD.key OR NEW.head_seq <> OLD.head_seq + 1
       BEGIN SELECT RAISE(ABORT, 'audit_tracechain head may only advance by one'); END""",
    """CREATE TRIGGER audit_tracechain_no_delete BEFORE DELETE ON audit_tracechain
       BEGIN SELECT RAISE(ABORT, 'audit_tracechain rows are never deleted'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_traceevent_no_update",
    "DROP TRIGGER IF EXISTS audit_traceevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_tracechain_head_advances",
    "DROP TRIGGER IF EXISTS audit_tracechain_no_delete",
]


def _run(schema_editor, postgres: str, sqlite: list[str]) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No parameters: the RAISE format strings contain literal % signs.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(postgres)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no append-only trigger for database vendor {vendor!r}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, POSTGRES_UP, SQLITE_UP)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, POSTGRES_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
