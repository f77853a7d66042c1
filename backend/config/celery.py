"""Celery application: thin tasks that load by id and call a service."""

from __future__ import annotations

import os

import django
from celery import Celery, signals
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("accord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def refuse_insecure_start(**kwargs: object) -> None:
    """A worker sends the hearing notices: it refuses the web's insecure defaults too.

    SystemExit, because Celery logs and swallows ordinary exceptions of signal receivers.
    """
    django.setup()
    # Not at the top: this module is imported by the config package itself, before Django's
    # settings exist, and the checks module loads Django's check framework.
    from accord.core.checks import refuse_insecure_start as refuse

    try:
        refuse()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc
