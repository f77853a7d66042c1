"""The sweep lapses proposals nobody answered in time (traced, the parties told), once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.inbox.models import Notice
from accord.smallclaims.models import Proposal, ProposalStatus
from accord.smallclaims.sweep import proposal_sweep
from accord.smallclaims.tasks import sweep_proposals

from .conftest import actions, written

pytestmark = pytest.mark.django_db


def test_a_proposal_in_time_is_left_alone(proposal) -> None:
    before = written()
    assert proposal_sweep(today=proposal.answer_due_on).lapsed == []
    assert written() == before


def test_a_proposal_past_its_day_lapses_once(proposal, mediating, alice, ben, mia) -> None:
    after = proposal.answer_due_on + dt.timedelta(days=1)
    assert proposal_sweep(today=after).lapsed == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LAPSED
    assert proposal.binds_nobody
    assert proposal.agreement is None
    assert actions(mediating, "smallclaim.") == [
        "smallclaim.proposal_issued",
        "smallclaim.proposal_lapsed",
    ]
    for user in (alice, ben, mia):
        assert Notice.objects.filter(user=user, kind="smallclaim.proposal_lapsed").exists()
    # Idempotent: nothing more the second time.
    before = written()
    assert proposal_sweep(today=after).lapsed == []
    assert written() == before


def test_an_answered_proposal_never_lapses(proposal, alice) -> None:
    from accord.smallclaims.services.proposals import proposal_refuse

    proposal_refuse(proposal=proposal, user=alice)
    before = written()
    assert proposal_sweep(today=proposal.answer_due_on + dt.timedelta(days=9)).lapsed == []
    assert written() == before


def test_the_beat_task_runs_the_sweep(proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(
        answer_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert sweep_proposals() == 1
    assert sweep_proposals() == 0


def test_the_task_is_on_the_beat_schedule(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accord.smallclaims.tasks.sweep_proposals" in tasks
