"""`accord export-case <case_no> <file.zip> [--wait [--timeout S]]`: write a case's evidence
package.

A package is never built while a recording of the case is not final (a hearing in progress,
its segments still uploading or being finalized): it would leave out a recording that exists.
Without ``--wait`` the command then fails and says which; with it, it waits for them.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accord.accounts.models import User
from accord.cases.models import Case
from accord.packages.export import FinalizePending, PackageError, export_case_to_path
from accord.recordings.selectors import PendingFinalize, pending_finalizes
from accord.replay.access import export_allowed

DEFAULT_TIMEOUT = 600.0
POLL_SECONDS = 2.0


def describe(pending: list[PendingFinalize]) -> str:
    """For the operator's terminal, in English like the command's other messages."""
    with translation.override("en"):
        return "; ".join(
            f"session {p.session.pk} ({p.session.title}): {p.reason_text}" for p in pending
        )


class Command(BaseCommand):
    help = "Export a case's evidence package (trace, documents, recordings, verify.py) as a zip."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("case_no", help="the case number, e.g. FMC-2026-00001")
        parser.add_argument("path", help="the zip file to write")
        parser.add_argument(
            "--user",
            help="export on behalf of this user (who must be allowed to); "
            "without it the export is recorded as the operator's command",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait until every recording of the case is finalized (a hearing just ended "
            "is still uploading and finalizing) instead of failing",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            help=f"with --wait: give up after this many seconds (default {DEFAULT_TIMEOUT:.0f})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        case_no: str = options["case_no"]
        path = Path(options["path"])
        case = Case.objects.select_related("chain").filter(case_no=case_no).first()
        if case is None:
            raise CommandError(f"no case {case_no!r}")
        user: User | None = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None or not export_allowed(user, case):
                raise CommandError(f"no case {case_no!r} that {options['user']!r} may export")
        if path.exists() and path.is_dir():
            raise CommandError(f"{path} is a directory")
        if options["wait"]:
            self._wait(case, timeout=float(options["timeout"]))
        try:
            result = export_case_to_path(case=case, user=user, path=path, via="command")
        except FinalizePending as exc:
            raise CommandError(
                f"not exported: a recording of case {case_no} is not final yet, and a package "
                f"now would leave it out ({describe(exc.pending)}). Run again with --wait to "
                "wait for it."
            ) from exc
        except PackageError as exc:
            raise CommandError(str(exc)) from exc
        for file_path, recorded, actual in result.differences:
            self.stderr.write(
                f"WARNING {file_path}: stored bytes hash to {actual}, the platform recorded "
                f"{recorded}; verify.py will reject this package"
            )
        self.stdout.write(
            f"Exported case {case_no} to {path}: {result.files} files, trace up to seq "
            f"{result.export_seq} (head {result.head_hash}), package SHA-256 "
            f"{result.package_sha256}, manifest SHA-256 {result.manifest_sha256}"
        )

    def _wait(self, case: Case, *, timeout: float) -> None:
        deadline = time.monotonic() + max(timeout, 0.0)
        said = ""
        while True:
            pending = pending_finalizes(case)
            if not pending:
                return
            what = describe(pending)
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"not exported: after {timeout:.0f} s a recording of case {case.case_no} is "
                    f"still not final ({what}). Is the Celery worker running? Try again later "
                    "or with a longer --timeout."
                )
            if what != said:
                self.stderr.write(f"waiting for recordings to be finalized: {what}")
                said = what
            time.sleep(POLL_SECONDS)
