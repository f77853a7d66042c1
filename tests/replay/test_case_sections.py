"""The case page's hearings section, filled by rooms and replay through the registries of
``accord.cases.sections`` and ``accord.rooms.sections``: each held hearing links to its replay
for those who may replay it, and the case links to its verification page for those allowed."""

from __future__ import annotations

import pytest

from accord.cases import sections as cases_sections
from accord.cases.sections import SectionContent, case_sections, register_section
from accord.replay import services as evidence_services
from tests.replay.conftest import Held, client_for

pytestmark = pytest.mark.django_db


def replay_url(held: Held) -> str:
    return f"/en/cases/{held.session.case.case_no}/sessions/{held.session.pk}/replay/"


def test_the_hearing_links_to_its_replay_only_with_replay_access(held: Held, ada, mia) -> None:
    case_page = f"/en/cases/{held.session.case.case_no}/"
    client = client_for(mia)
    html = client.get(case_page).content.decode()
    assert f'data-session-id="{held.session.pk}"' in html
    assert replay_url(held) not in html
    evidence_services.replay_grant(case=held.session.case, user=mia, by=ada, include_caucus=False)
    html = client.get(case_page).content.decode()
    assert f'href="{replay_url(held)}"' in html
    assert 'data-testid="replay-link"' in html


def test_the_case_links_to_its_verification_page_for_those_allowed(held: Held, mia, alice):
    case_no = held.session.case.case_no
    html = client_for(mia).get(f"/en/cases/{case_no}/").content.decode()
    assert f'href="/en/cases/{case_no}/verify/"' in html
    html = client_for(alice).get(f"/en/cases/{case_no}/").content.decode()
    assert "/verify/" not in html
    assert f'href="/en/rooms/{held.session.pk}/"' not in html  # the hearing has ended


def test_a_provider_that_returns_nothing_adds_nothing(held: Held, rf, mia) -> None:
    calls = []

    def nothing(request, case) -> SectionContent | None:
        calls.append(case.pk)
        return None

    register_section(nothing)
    register_section(nothing)  # once only
    request = rf.get("/")
    request.user = mia
    try:
        found = case_sections(request=request, case=held.session.case)
    finally:
        cases_sections._providers.remove(nothing)
    assert calls == [held.session.case.pk]
    templates = [s.template for s in found]
    # The apps' sections of this case, in page order; the one that returned nothing is absent.
    assert set(templates) == {
        "deadlines/_case_deadlines.html",
        "mediators/_case_section.html",
        "rooms/_case_hearings.html",
        "replay/_case_verification.html",
        "conflicts/_case_recusal.html",  # mia mediates the case: she may withdraw from it
        "evaluation/_case_section.html",  # and ask for a neutral evaluation
        "documents/_case_documents.html",  # and draft the agreement or the record
    }
    assert len(templates) == len(set(templates))
