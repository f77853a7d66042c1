"""``accord finalize-recording <session_id>``: run a session's finalize inline."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.recordings.services import session_finalize
from accord.rooms.models import HearingSession


class Command(BaseCommand):
    help = "Make a hearing session's final recording files and manifest now (not via Celery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session_id")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Make a new version even if no segment changed since the last one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            session_id = uuid.UUID(options["session_id"])
        except ValueError as exc:
            raise CommandError("not a session id (UUID)") from exc
        session = HearingSession.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"no hearing session {session_id}")
        manifest = session_finalize(session=session, force=options["force"])
        if manifest is None:
            self.stdout.write("nothing recorded in this session")
            return
        self.stdout.write(f"{manifest.key} v{manifest.version} sha256 {manifest.sha256}")
