"""Assessments with the figures the case data gives, rewards and penalties, training and the
court's guidance sessions: traced on the organization's chain; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from accord.cases import services as case_services
from accord.cases.models import CaseComplexity, CaseState
from accord.core.api import ServiceError
from accord.mediators import records
from accord.mediators.feedback import feedback_submit
from accord.mediators.figures import case_figures, default_period
from accord.orgs.models import MediationRules
from tests.cases.conftest import issue_failure_notice
from tests.mediators.conftest import nothing_written, org_events

TODAY = dt.date.today()


@pytest.mark.parametrize("score", [101, -1, None, True])
def test_a_bad_score_is_refused(mia_profile, ada, score):
    start, end = default_period()
    with nothing_written(), pytest.raises(ServiceError) as refused:
        records.assessment_record(
            profile=mia_profile,
            score=score,
            comments="",
            period_start=start,
            period_end=end,
            assessor=ada,
        )
    assert refused.value.code == "invalid_score"
    assert "score" in refused.value.fields


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (TODAY, TODAY - dt.timedelta(days=1)),
        (None, TODAY),
        (TODAY, TODAY + dt.timedelta(days=1)),
    ],
)
def test_a_bad_period_is_refused(mia_profile, ada, start, end):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        records.assessment_record(
            profile=mia_profile,
            score=80,
            comments="",
            period_start=start,
            period_end=end,
            assessor=ada,
        )
    assert refused.value.code == "invalid_period"


def _close_with_agreement(case, drive_to, mia):
    drive_to(case, CaseState.MEDIATING)
    case_services.case_record_outcome(case=case, user=mia, outcome=CaseState.AGREEMENT)


def test_the_figures_come_from_the_cases_and_the_feedback(
    mia_profile, ada, mia, alice, ben, application, drive, org
):
    rules = MediationRules.objects.get(organization=org)
    rules.count_working_days = False
    rules.days_normal = 30
    rules.save()
    # One case accepted 50 days ago (beyond its 30-day limit), decided today…
    late = case_services.case_apply(applicant=alice, application=application())
    past = timezone.now() - dt.timedelta(days=50)
    with mock.patch("django.utils.timezone.now", return_value=past):
        case_services.case_accept(case=late, user=ada, complexity=CaseComplexity.NORMAL)
    case_services.case_assign_mediator(case=late, user=ada, mediator=mia)
    case_services.case_start_mediation(case=late, user=mia)
    case_services.case_record_outcome(case=late, user=mia, outcome=CaseState.FAILED)
    issue_failure_notice(late, mia)
    case_services.case_close(case=late, user=mia)
    # …one accepted and decided today, and one still in mediation.
    quick = case_services.case_apply(applicant=alice, application=application())
    drive(quick, CaseState.CLOSED)
    open_case = case_services.case_apply(applicant=alice, application=application())
    drive(open_case, CaseState.MEDIATING)
    feedback_submit(case=late, user=alice, satisfaction=2, fair=False)
    feedback_submit(case=quick, user=alice, satisfaction=5, fair=True)
    feedback_submit(case=quick, user=ben, satisfaction=4, fair=True)

    start, end = default_period()
    figures = case_figures(profile=mia_profile, period_start=start, period_end=end)
    assert figures.decided == 2
    assert figures.in_progress == 1
    assert figures.cases_handled == 3
    assert figures.outcomes == {"agreement": 1, "failed": 1}
    assert figures.average_days == 25.0
    assert (figures.within_limit, figures.within_limit_percent) == (1, 50)
    assert figures.feedback_count == 3
    assert figures.average_satisfaction == 3.7
    assert figures.fair_percent == 67

    assessment = records.assessment_record(
        profile=mia_profile,
        score=72,
        comments="按期结案率偏低",
        period_start=start,
        period_end=end,
        assessor=ada,
    )
    assert assessment.figures == figures.snapshot()
    assert assessment.figures["within_limit_percent"] == 50
    event = org_events(org)[-1]
    assert event.action == "mediator.assessed"
    assert event.payload["score"] == 72
    assert event.payload["assessment_id"] == assessment.pk
    assert "按期" not in str(event.payload)
    # Outside the period nothing was decided.
    before = case_figures(
        profile=mia_profile,
        period_start=start - dt.timedelta(days=30),
        period_end=start - dt.timedelta(days=1),
    )
    assert before.decided == 0 and before.average_days is None


def test_a_working_day_limit_counts_on_the_calendar(mia_profile, ada, mia, alice, application, org):
    rules = MediationRules.objects.get(organization=org)
    rules.count_working_days = True
    rules.days_simple = 15
    rules.save()
    case = case_services.case_apply(applicant=alice, application=application())
    # 20 calendar days hold fewer than 15 working days: within the limit.
    past = timezone.now() - dt.timedelta(days=20)
    with mock.patch("django.utils.timezone.now", return_value=past):
        case_services.case_accept(case=case, user=ada, complexity=CaseComplexity.SIMPLE)
    case_services.case_assign_mediator(case=case, user=ada, mediator=mia)
    case_services.case_start_mediation(case=case, user=mia)
    case_services.case_record_outcome(case=case, user=mia, outcome=CaseState.AGREEMENT)
    start, end = default_period()
    assert case_figures(profile=mia_profile, period_start=start, period_end=end).within_limit == 1
    # 8 calendar days from acceptance ended 12 days ago (a holiday moves it by a week at most).
    rules.count_working_days = False
    rules.days_simple = 8
    rules.save()
    assert case_figures(profile=mia_profile, period_start=start, period_end=end).within_limit == 0


def test_rewards_and_penalties_need_a_reason(mia_profile, ada, org):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        records.reward_penalty_record(
            profile=mia_profile, kind="penalty", reason="", decided_on=TODAY, user=ada
        )
    assert refused.value.code == "reason_required"
    with nothing_written(), pytest.raises(ServiceError):
        records.reward_penalty_record(
            profile=mia_profile, kind="bonus", reason="x", decided_on=TODAY, user=ada
        )
    record = records.reward_penalty_record(
        profile=mia_profile, kind="reward", reason="年度优秀调解员", decided_on=TODAY, user=ada
    )
    event = org_events(org)[-1]
    assert event.action == "mediator.reward"
    assert event.payload["record_id"] == record.pk


@pytest.mark.parametrize(
    ("kind", "hours", "provider", "field"),
    [
        ("regular", "0", "法院", "hours"),
        ("regular", "1001", "法院", "hours"),
        ("regular", "abc", "法院", "hours"),
        ("nap", "2", "法院", "kind"),
        ("regular", "2", " ", "provider"),
    ],
)
def test_a_bad_training_is_refused(mia_profile, ada, kind, hours, provider, field):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        records.training_record(
            profile=mia_profile, kind=kind, on=TODAY, hours=hours, provider=provider, user=ada
        )
    assert field in refused.value.fields


def test_training_of_each_kind_is_recorded(mia_profile, ada, org):
    for kind in ("regular", "learning_by_mediating", "case_study", "observation"):
        records.training_record(
            profile=mia_profile,
            kind=kind,
            on=TODAY,
            hours=Decimal("2.5"),
            provider="协会",
            user=ada,
        )
    assert mia_profile.trainings.count() == 4
    assert org_events(org)[-1].payload["hours"] == "2.5"


def test_a_guidance_session_lists_attendees_of_the_organization_only(
    mia_profile, make_profile, ada, charlie, other_org, org
):
    elsewhere = make_profile(charlie, other_org)
    with nothing_written(), pytest.raises(ServiceError) as refused:
        records.guidance_session_record(
            organization=org,
            on=TODAY,
            court="中级人民法院",
            topic="金融借款纠纷",
            hours="3",
            attendees=[mia_profile, elsewhere],
            user=ada,
        )
    assert "attendees" in refused.value.fields
    with nothing_written(), pytest.raises(ServiceError):
        records.guidance_session_record(
            organization=org, on=TODAY, court="法院", topic="x", hours="3", attendees=[], user=ada
        )
    session = records.guidance_session_record(
        organization=org,
        on=TODAY,
        court="中级人民法院",
        topic="金融借款纠纷",
        hours="3",
        attendees=[mia_profile],
        user=ada,
    )
    assert list(session.attendees.all()) == [mia_profile]
    event = org_events(org)[-1]
    assert event.action == "guidance.session_recorded"
    assert event.payload["attendee_profile_ids"] == [mia_profile.pk]
