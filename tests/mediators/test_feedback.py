"""Party feedback: opened for each side when a case closes, told by a notice, given once, by
the parties only; traced on the case's chain with ids and the score."""

from __future__ import annotations

import pytest

from accord.cases import services as case_services
from accord.cases.errors import NotAllowed
from accord.cases.models import CaseState
from accord.core.api import ConflictError, ServiceError
from accord.inbox.models import Notice
from accord.mediators.feedback import feedback_submit
from accord.mediators.models import Feedback, FeedbackSide
from tests.mediators.conftest import case_events, nothing_written


@pytest.fixture
def closed(case, drive, ben):
    return drive(case, CaseState.CLOSED)


def test_closing_a_case_opens_feedback_for_each_side_and_tells_them(closed, alice, ben, mia):
    invitations = {f.side: f for f in Feedback.objects.filter(case=closed)}
    assert set(invitations) == {FeedbackSide.APPLICANT, FeedbackSide.INSTITUTION}
    assert all(f.mediator == mia and not f.is_submitted for f in invitations.values())
    notices = Notice.objects.filter(kind="feedback.invited", case_no=closed.case_no)
    assert {notice.user for notice in notices} == {alice, ben}
    assert all(notice.url == f"/mediators/feedback/{closed.case_no}/" for notice in notices)


def test_a_case_that_is_not_closed_asks_nothing(case, drive, ben):
    drive(case, CaseState.AGREEMENT)
    assert not Feedback.objects.exists()


def test_a_declined_case_without_a_mediator_asks_nothing(case, ada, mia, ben):
    case_services.case_decline(case=case, user=ada, reason="不属于受理范围")
    case_services.case_close(case=case, user=ada)
    assert not Feedback.objects.exists()


def test_a_party_gives_feedback_once(closed, alice, ben):
    feedback = feedback_submit(case=closed, user=alice, satisfaction=4, fair=True, comment="耐心")
    assert (feedback.satisfaction, feedback.fair, feedback.comment) == (4, True, "耐心")
    event = case_events(closed)[-1]
    assert event.action == "feedback.submitted"
    assert event.payload == {"feedback_id": feedback.pk, "side": "applicant", "satisfaction": 4}
    with nothing_written(), pytest.raises(ConflictError) as refused:
        feedback_submit(case=closed, user=alice, satisfaction=1, fair=False)
    assert refused.value.code == "already_submitted"
    # The institution's side is answered apart.
    feedback_submit(case=closed, user=ben, satisfaction=3, fair=True)
    assert Feedback.objects.filter(submitted_at__isnull=False).count() == 2


def test_someone_who_is_no_party_cannot_give_feedback(closed, charlie, mia, ada):
    for user in (charlie, mia, ada):
        with nothing_written(), pytest.raises(NotAllowed):
            feedback_submit(case=closed, user=user, satisfaction=5, fair=True)


@pytest.mark.parametrize(
    ("satisfaction", "fair", "field"),
    [
        (0, True, "satisfaction"),
        (6, True, "satisfaction"),
        (None, True, "satisfaction"),
        (3, None, "fair"),
    ],
)
def test_bad_answers_are_refused(closed, alice, satisfaction, fair, field):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        feedback_submit(case=closed, user=alice, satisfaction=satisfaction, fair=fair)
    assert field in refused.value.fields


def test_erasing_the_applicant_blanks_their_comment_and_keeps_the_scores(closed, alice, ben):
    from datetime import timedelta

    from django.utils import timezone

    from accord.accounts.services.erasure import person_erase
    from accord.audit.actors import Actor

    feedback_submit(case=closed, user=alice, satisfaction=5, fair=True, comment="感谢张律师耐心")
    feedback_submit(case=closed, user=ben, satisfaction=3, fair=True, comment="流程清楚")
    later = timezone.now() + timedelta(days=4 * 365)  # past the retention period
    person_erase(user=alice, actor=Actor.system("erase-person"), now=later)
    mine = Feedback.objects.get(case=closed, side=FeedbackSide.APPLICANT)
    assert (mine.comment, mine.satisfaction) == ("", 5)
    assert Feedback.objects.get(case=closed, side=FeedbackSide.INSTITUTION).comment == "流程清楚"
