"""`accord verify-case <case_no>`: re-compute a case's chain and re-hash its objects."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.audit.models import TraceChain
from accord.audit.verify import verify_all


class Command(BaseCommand):
    help = "Verify a case's hash-chained trace and every stored object it registers."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("case_no", help="the case number, e.g. FMC-2026-00001")

    def handle(self, *args: Any, **options: Any) -> None:
        case_no: str = options["case_no"]
        try:
            chain = TraceChain.objects.get(key=f"case:{case_no}")
        except TraceChain.DoesNotExist as exc:
            raise CommandError(f"no case {case_no!r}") from exc
        report = verify_all(chain)
        if not report.ok:
            self.stderr.write(f"BROKEN case {case_no}: {report.first_failure}")
            # CommandError exits with status 1, which is the contract.
            raise CommandError(f"verification failed after {report.events_checked} intact events")
        self.stdout.write(
            f"OK case {case_no}: {report.events_checked} events intact, "
            f"{report.objects_checked} stored objects verified, head {chain.head_hash}"
        )
