"""Celery entry points of court docking (thin: the work is in ``services`` and ``materials``)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from accord.courts.auth import nonces_sweep
from accord.courts.materials import FETCH_ATTEMPTS, FetchFailed, material_fetch
from accord.courts.models import Entrustment
from accord.courts.services.callbacks import callback_deliver, callbacks_due


@shared_task(name="accord.courts.tasks.deliver_callback", ignore_result=True)
def deliver_callback(callback_id: int) -> str:
    """One attempt at one callback; a failed attempt queues the next one itself."""
    return callback_deliver(callback_id)


@shared_task(name="accord.courts.tasks.deliver_due_callbacks", ignore_result=True)
def deliver_due_callbacks() -> int:
    """Beat, every minute: any pending callback whose queued task was lost."""
    return callbacks_due()


@shared_task(name="accord.courts.tasks.sweep_nonces", ignore_result=True)
def sweep_nonces() -> int:
    return nonces_sweep()


@shared_task(
    name="accord.courts.tasks.fetch_material",
    ignore_result=True,
    autoretry_for=(FetchFailed,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=FETCH_ATTEMPTS,
)
def fetch_material(material_id: int) -> str:
    return material_fetch(material_id)


def queue_delivery(callback_id: int, *, countdown: float) -> None:
    """After the caller's commit: deliver ``callback_id`` in ``countdown`` seconds."""
    transaction.on_commit(lambda: deliver_callback.apply_async((callback_id,), countdown=countdown))


def queue_material_fetches(entrustment: Entrustment) -> None:
    ids = list(entrustment.materials.values_list("pk", flat=True))
    transaction.on_commit(lambda: [fetch_material.delay(pk) for pk in ids])
