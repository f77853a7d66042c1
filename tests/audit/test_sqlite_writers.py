"""The embedded default: several processes write to one SQLite database at once
(web, Celery, media worker) without 'database is locked' and without forking a chain."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django.setup()
    from django.db import transaction
    from accord.audit.actors import Actor
    from accord.audit.models import TraceChain
    from accord.audit.services import trace_append

    name, steps, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    chain = TraceChain.objects.get(key="case:SQLITE-2026-00001")
    while not os.path.exists(go):  # start together, so that the writers really overlap
        pass
    for step in range(steps):
        with transaction.atomic():
            trace_append(chain=chain, action="test.write", actor=Actor.system(name),
                         payload={"writer": name, "step": step})
    """
)

VERIFY = textwrap.dedent(
    """
    import os
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django.setup()
    from accord.audit.models import TraceChain
    from accord.audit.verify import verify_chain
    report = verify_chain(TraceChain.objects.get(key="case:SQLITE-2026-00001"))
    print(report.ok, report.events_checked, report.first_failure)
    """
)


def test_four_processes_append_to_one_sqlite_chain_without_locking_errors(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'accord.sqlite3'}",
        "ACCORD_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO / "backend"),
    }
    manage = str(REPO / "backend" / "manage.py")
    subprocess.run(
        [sys.executable, manage, "migrate", "audit", "-v", "0"], check=True, env=env, timeout=120
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, django; os.environ['DJANGO_SETTINGS_MODULE']="
            "'config.settings'; django.setup(); from accord.audit.services import "
            "trace_chain_create; trace_chain_create(key='case:SQLITE-2026-00001')",
        ],
        check=True,
        env=env,
        timeout=60,
    )
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"writer-{n}", "100", str(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    time.sleep(3)  # Django set up in every writer
    go.touch()
    for writer in writers:
        _, stderr = writer.communicate(timeout=180)
        assert writer.returncode == 0, stderr
        assert "database is locked" not in stderr
    result = subprocess.run(
        [sys.executable, "-c", VERIFY],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["True", "400", "None"]
