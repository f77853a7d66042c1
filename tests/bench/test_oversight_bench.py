"""The oversight benchmark's seeding and timing code on a tiny size (bench/oversight.py): the
seeded rows satisfy the models and the dashboards count them. No timing is asserted."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from accord.analytics.scope import Scope, ScopeKind
from accord.cases.models import Case, CaseState, IntakeChannel
from accord.deadlines.models import Deadline, DeadlineStatus
from accord.orgs.models import Membership, Role
from bench.oversight import bench_scopes, time_call
from bench.oversight_seed import N_INSTITUTIONS, N_ORGANIZATIONS, seed

pytestmark = pytest.mark.django_db

N = 2000


@pytest.fixture
def seeded():
    return seed(N, tag="TB", now=timezone.now())


def test_the_seed_satisfies_the_models(seeded) -> None:
    assert seeded.cases == N
    assert len(seeded.organizations) == N_ORGANIZATIONS
    assert len(seeded.institutions) == N_INSTITUTIONS
    cases = Case.objects.filter(case_no__startswith="TB-")
    assert cases.count() == N
    case = cases.select_related("chain", "organization", "respondent").order_by("id").first()
    assert case is not None
    assert case.chain.key == case.chain_key
    assert case.applicant_phone == "13800138000"  # the one ciphertext decrypts
    assert case.organization.is_mediation_org
    assert case.respondent_id in seeded.institutions
    # Every regulator-assigned case names a regulator, every court case a court and a date.
    assert not cases.filter(channel=IntakeChannel.REGULATOR, referred_by__isnull=True).exists()
    assert not cases.filter(channel=IntakeChannel.COURT, entrusted_on__isnull=True).exists()
    # A mediator is one of the handling organization's mediators.
    with_mediator = cases.filter(mediator__isnull=False).first()
    assert with_mediator is not None
    assert Membership.objects.filter(
        user=with_mediator.mediator, organization=with_mediator.organization, role=Role.MEDIATOR
    ).exists()


def test_the_seed_is_realistic(seeded) -> None:
    cases = Case.objects.filter(case_no__startswith="TB-")
    channels = dict(cases.values_list("channel").annotate(n=Count("id")))
    assert 0.7 * N < channels[IntakeChannel.APPLICATION] < 0.9 * N
    assert channels[IntakeChannel.REGULATOR] > 0.1 * N
    assert channels[IntakeChannel.COURT] > 0.02 * N
    ended = cases.filter(
        state__in=[CaseState.AGREEMENT, CaseState.FAILED, CaseState.CLOSED, CaseState.DECLINED]
    ).count()
    assert ended > N / 2
    oldest = cases.order_by("created_at").first()
    assert oldest is not None
    assert oldest.created_at < timezone.now() - datetime.timedelta(days=600)
    deadlines = Deadline.objects.filter(case__in=cases)
    assert deadlines.count() == seeded.deadlines + seeded.rows["feedback time limits"] > N / 2
    assert deadlines.filter(status=DeadlineStatus.MISSED).exists()
    assert deadlines.filter(status=DeadlineStatus.MET).exists()


def test_the_scopes_and_the_timing(seeded) -> None:
    scopes = bench_scopes()
    kinds = [scope.kind for scope in scopes]
    assert kinds == [
        ScopeKind.ORGANIZATION,
        ScopeKind.REGULATOR,
        ScopeKind.COURT,
        ScopeKind.INSTITUTION,
        ScopeKind.SYSTEM,
    ]
    assert scopes[0].cases().count() > N / N_ORGANIZATIONS
    assert Scope(ScopeKind.SYSTEM).cases().count() >= N
    timing = time_call("count", lambda: Scope(ScopeKind.SYSTEM).cases().count(), runs=3)
    assert len(timing.seconds) == 3
    assert timing.queries == 1


def test_the_dashboard_counts_the_seeded_cases(seeded) -> None:
    from accord.analytics import figures
    from bench.oversight import measure, twelve_months

    period = twelve_months()
    low, high = period.bounds()
    in_period = Case.objects.filter(
        case_no__startswith="TB-", created_at__gte=low, created_at__lt=high
    ).count()
    assert in_period > N / 4
    board = figures.dashboard(Scope(ScopeKind.SYSTEM), period)
    tables = {table.key: table for table in board.tables}
    assert set(tables) == set(figures.TABLES)
    assert sum(int(str(row[1])) for row in tables["intake_channel"].rows) == in_period
    # The seeded trace, proposals and court feedback are what the other tables count.
    ended = sum(int(str(row[1])) for row in tables["outcomes"].rows[:-1])
    assert ended > 0
    assert sum(int(str(row[1])) for row in tables["smallclaim_proposals"].rows) > 0
    assert sum(int(str(row[1])) for row in tables["court_feedback"].rows) > 0
    assert tables["mediator_workload"].rows
    result = measure(Scope(ScopeKind.SYSTEM), period, runs=1, warmup=0)
    assert result.cases_in_scope == in_period
    assert [t.name for t in result.tables] == list(figures.TABLES)
    assert result.dashboard.queries == sum(t.queries for t in result.tables)
