"""`accord export-case <case_no> <file.zip>`: write a case's evidence package."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.accounts.models import User
from accord.cases.models import Case
from accord.packages.export import PackageError, export_case_to_path
from accord.replay.access import export_allowed


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
        try:
            result = export_case_to_path(case=case, user=user, path=path, via="command")
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
