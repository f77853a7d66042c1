"""``accord composite-recording <session_id>``: make a session's composite grid video inline."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.api import ServiceError
from accord.recordings.services import composite_make
from accord.rooms.models import HearingSession


class Command(BaseCommand):
    help = (
        "Make a hearing session's composite grid video (export/composite.webm) from its latest "
        "finalized recording now (not via Celery)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            session_id = uuid.UUID(options["session_id"])
        except ValueError as exc:
            raise CommandError("not a session id (UUID)") from exc
        session = HearingSession.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"no hearing session {session_id}")
        try:
            composite = composite_make(session=session)
        except ServiceError as exc:
            raise CommandError(f"{exc.code}: {exc}") from exc
        self.stdout.write(
            f"{composite.key} from v{composite.manifest_version} {composite.size} bytes "
            f"sha256 {composite.sha256}"
        )
