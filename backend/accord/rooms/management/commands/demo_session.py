"""`accord demo-session --json`: one-time sign-in links to a freshly scheduled demo hearing."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone, translation

from accord.accounts.services import signin_link_create
from accord.audit.actors import Actor
from accord.cases.models import Case, CaseState
from accord.orgs.models import Role
from accord.rooms.models import ParticipantRole
from accord.rooms.services import session_schedule

LINK_TTL = timedelta(hours=12)


class Command(BaseCommand):
    help = "Schedule a hearing on a seeded demo case and print one-time links for it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON only")
        parser.add_argument("--case", help="case number (default: a mediating demo case)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ACCORD_DEMO:
            raise CommandError("demo sessions exist only with ACCORD_DEMO=1")
        cases = Case.objects.filter(state=CaseState.MEDIATING, mediator__isnull=False)
        if options.get("case"):
            cases = Case.objects.filter(case_no=options["case"], mediator__isnull=False)
        case = cases.select_related("mediator", "applicant", "respondent").order_by("id").first()
        if case is None or case.applicant is None or case.mediator is None:
            raise CommandError("no mediating demo case with a mediator: run `accord seed-demo`")
        staff = (
            case.respondent.memberships.filter(role=Role.INSTITUTION_STAFF, is_active=True)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if staff is None:
            raise CommandError(f"{case.respondent.code} has no staff member to invite")
        mediator, applicant, respondent = case.mediator, case.applicant, staff.user
        session = session_schedule(
            case=case,
            scheduled_at=timezone.now() + timedelta(minutes=5),
            duration_minutes=60,
            title=f"{case.case_no} 视频调解",
            participants=[
                (mediator, ParticipantRole.MEDIATOR),
                (applicant, ParticipantRole.APPLICANT),
                (respondent, ParticipantRole.RESPONDENT),
            ],
            by=mediator,
        )
        with translation.override(settings.LANGUAGE_CODE):
            # Demo links count as confirmed by phone code: straight to the device check, then
            # the room (the mediator) or its waiting room (the parties).
            target = reverse("rooms:device_check", kwargs={"session_id": session.pk})
        base = settings.ACCORD_BASE_URL.rstrip("/")
        actor = Actor.system("demo-session")

        def link(user: Any) -> str:
            path = signin_link_create(
                user=user, next_url=target, ttl=LINK_TTL, demo=True, actor=actor
            )
            return f"{base}{path}"

        result = {
            "case_no": case.case_no,
            "session_id": str(session.pk),
            "links": {"mediator": link(mediator), "parties": [link(applicant), link(respondent)]},
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
