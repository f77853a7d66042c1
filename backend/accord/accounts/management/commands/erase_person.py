"""`accord erase-person (--user-id N | --phone P)`: erase a person's personal data once
the retention period is over; every chain stays verifiable."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.accounts.models import User
from accord.accounts.phones import normalize_phone
from accord.accounts.selectors import user_by_phone
from accord.accounts.services import person_erase
from accord.audit.actors import Actor
from accord.core.api import ServiceError


class Command(BaseCommand):
    help = "Erase a person's personal data (account, party particulars of their cases)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user-id", type=int, help="the account's id")
        who.add_argument("--phone", help="the account's mobile number")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user_id"] is not None:
            user = User.objects.filter(pk=options["user_id"]).first()
        else:
            user = user_by_phone(normalize_phone(options["phone"]))
        if user is None:
            raise CommandError("no such person")
        try:
            erasure = person_erase(user=user, actor=Actor.system("erase-person"))
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"erased user {erasure.user_id}: {len(erasure.subjects)} data subjects, "
            f"{erasure.values_destroyed} committed values destroyed"
        )
