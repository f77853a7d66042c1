"""Lapsing the small-claim proposals nobody answered in time (Celery beat, hourly; idempotent:
a proposal lapses once, and a lapsed one is never touched again).

A proposal whose answer day (``answer_due_on``, counted on the working-day calendar when it was
issued) has passed while it still waits for the applicant becomes ``lapsed``: it binds nobody
and stays readable as a third-party opinion. Each lapse locks the case, writes the proposal,
traces ``smallclaim.proposal_lapsed`` (by the system) and tells the parties, in one
transaction. Answering an expired proposal is refused whether or not the sweep ran
(``proposal_expired``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.services.transitions import case_trace, lock_case
from accord.smallclaims.models import Proposal, ProposalStatus
from accord.smallclaims.services.proposals import tell

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "smallclaims:sweep"


@dataclass
class ProposalSweep:
    lapsed: list[int] = field(default_factory=list)  # proposal ids


def _lapse_one(proposal_id: int, today: dt.date, result: ProposalSweep) -> None:
    case_id = Proposal.objects.values_list("case_id", flat=True).get(pk=proposal_id)
    with transaction.atomic():
        locked = lock_case(Case(pk=case_id))
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != ProposalStatus.ISSUED or proposal.answer_due_on >= today:
            return  # answered meanwhile, or already lapsed: nothing to do
        proposal.status = ProposalStatus.LAPSED
        proposal.save(update_fields=["status"])
        case_trace(
            locked=locked,
            action="smallclaim.proposal_lapsed",
            actor=Actor.system(SWEEP_ACTOR),
            payload={
                "proposal": str(proposal.uuid),
                "number": proposal.number,
                "answer_due": proposal.answer_due_on.isoformat(),
            },
        )
        text = _(
            "Case %(case_no)s: the small-claim proposal was not answered by %(due)s. It binds "
            "nobody and is kept as a third-party opinion; the mediation goes on."
        ) % {"case_no": locked.case_no, "due": proposal.answer_due_on.isoformat()}
        tell(locked, proposal, kind="smallclaim.proposal_lapsed", text=text)
    result.lapsed.append(proposal_id)


def proposal_sweep(*, today: dt.date | None = None) -> ProposalSweep:
    """Lapse every proposal still waiting whose answer day is before ``today`` (the local date
    by default)."""
    today = today or timezone.localdate()
    result = ProposalSweep()
    candidates = (
        Proposal.objects.filter(status=ProposalStatus.ISSUED, answer_due_on__lt=today)
        .order_by("answer_due_on", "pk")
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for proposal_id in list(candidates):
            try:
                _lapse_one(proposal_id, today, result)
            except Exception:
                # One broken case must not keep the others back; the next sweep tries again
                # (nothing of it was recorded).
                logger.exception("proposal sweep failed for proposal %d", proposal_id)
    return result
