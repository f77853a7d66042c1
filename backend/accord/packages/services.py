"""Writes of the packages app: the trace events of an export (``case.exported`` before the
build, ``case.package_sealed`` after it). Each write is one transaction with its event on the
case's chain."""

from __future__ import annotations

from django.db import transaction

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.audit.services import trace_append
from accord.cases.models import Case
from accord.cases.selectors import case_role_of
from accord.orgs.models import Role
from accord.replay.access import is_case_auditor
from accord.trust.anchors import anchor_chain_after_commit
from accord.trust.models import AnchorReason


def _actor(case: Case, user: User) -> Actor:
    role = case_role_of(case=case, user=user)
    if role is None and is_case_auditor(user, case):
        role = Role.AUDITOR.value
    return Actor.for_user(user, role=role)


def _locked_case(case: Case) -> Case:
    return Case.objects.select_related("chain", "organization").get(pk=case.pk)


def case_exported(*, case: Case, user: User | None, via: str) -> TraceEvent:
    """The ``case.exported`` event, committed before the package is built so that
    the package's trace ends with it (it cannot hold the package's own hash;
    :func:`case_package_sealed` records that afterwards)."""
    actor = Actor.system("export-case") if user is None else _actor(case, user)
    with transaction.atomic():
        locked = _locked_case(case)
        event = trace_append(
            chain=locked.chain,
            action="case.exported",
            actor=actor,
            payload={"via": via, "format": "accord-evidence-package/1"},
        )
        # Stamp the head in time (after commit; the package carries the earlier anchors).
        anchor_chain_after_commit(locked.chain, reason=AnchorReason.CASE_EXPORTED)
        return event


def case_package_sealed(
    *,
    case: Case,
    user: User | None,
    export_seq: int,
    manifest_sha256: str,
    package_sha256: str,
    size: int,
) -> TraceEvent:
    """After the build: the hashes of the package made for the export at ``export_seq``."""
    actor = Actor.system("export-case") if user is None else _actor(case, user)
    with transaction.atomic():
        locked = _locked_case(case)
        return trace_append(
            chain=locked.chain,
            action="case.package_sealed",
            actor=actor,
            payload={
                "export_seq": export_seq,
                "manifest_sha256": manifest_sha256,
                "package_sha256": package_sha256,
                "size": size,
            },
        )
