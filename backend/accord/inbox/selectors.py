from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accord.accounts.models import User
from accord.inbox.models import Notice


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User | AnonymousUser) -> int:
    if not isinstance(user, User):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
