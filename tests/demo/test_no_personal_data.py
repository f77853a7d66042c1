"""No phone number, ID number, bank account number or IP address in the trace or in an
exported package of the demo data (PIPL: the trace can never be erased)."""

from __future__ import annotations

import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accord.audit.models import TraceEvent
from accord.cases.models import Case
from accord.core.storage import ensure_buckets
from accord.demo import data
from accord.packages.export import export_case_to_path

pytestmark = pytest.mark.django_db

# Hex digits around a number mean it is part of a hash, not a number of its own.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Fa-f])", r"(?![0-9A-Fa-f])"
PATTERNS = {
    "phone": re.compile(_EDGE_BEFORE + r"1[3-9]\d{9}" + _EDGE_AFTER),
    "id_number": re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + r"(?![0-9A-Fa-f])"),
    "bank_account": re.compile(_EDGE_BEFORE + r"\d{16,19}" + _EDGE_AFTER),
    "ipv4": re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"),
    "ipv6": re.compile(
        r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
        r"|(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4})"
        r"(?![0-9A-Fa-f:])"
    ),
}


def findings(text: str) -> list[tuple[str, str]]:
    found = [(kind, m.group(0)) for kind, p in PATTERNS.items() for m in p.finditer(text)]
    # Known personal values of the demo, whatever their form.
    found += [("demo phone", phone) for phone, _name in data.APPLICANTS if phone in text]
    return found


def test_the_patterns_catch_what_they_look_for():
    text = "13800000001 11010519491231002X 6222020200112233445 10.0.0.1 fe80::1 2001:db8::8a2e"
    kinds = {kind for kind, _ in findings(text)}
    assert {"phone", "id_number", "bank_account", "ipv4", "ipv6"} <= kinds
    # Hashes, times, amounts and case numbers are not findings.
    assert findings("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") == []
    assert findings("2026-12-02T06:03:11.123456Z 3200.00 FMC-2026-00001") == []


@pytest.fixture
def seeded_with_hearing(settings) -> None:
    settings.ACCORD_DEMO = True
    ensure_buckets()
    call_command("seed_demo", stdout=StringIO())
    call_command("demo_session", "--json", stdout=StringIO())


def test_no_trace_event_of_the_demo_holds_personal_data(seeded_with_hearing):
    bad = []
    for event in TraceEvent.objects.select_related("chain").order_by("chain_id", "seq"):
        text = json.dumps(
            {"chain": event.chain.key, "actor": event.actor, "payload": event.payload},
            ensure_ascii=False,
        )
        bad += [(event.chain.key, event.seq, event.action, hit) for hit in findings(text)]
    assert bad == []


def test_no_exported_package_of_the_demo_holds_personal_data(seeded_with_hearing, tmp_path):
    bad = []
    for case in Case.objects.order_by("id"):
        path = tmp_path / f"{case.case_no}.zip"
        export_case_to_path(case=case, user=None, path=path, via="test")
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name == "verify.py":
                    continue
                text = archive.read(name).decode("utf-8", errors="replace")
                bad += [(case.case_no, name, hit) for hit in findings(text + "\n" + name)]
        Path(path).unlink()
    assert bad == []
