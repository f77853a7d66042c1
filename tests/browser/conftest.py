"""One Accord stack per test session and one Chromium per module (starting them is the slow
part); every test schedules its own hearing with `accord demo-session`, so tests do not share
rooms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.chromium import chromium, chromium_missing_reason
from tests.browser.netcut import CuttableProxy
from tests.browser.people import Person, admit, enter
from tests.browser.stack import BrowserStack, browser_stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    with chromium() as (_, browser):
        yield browser


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserStack]:
    with browser_stack(tmp_path_factory.mktemp("browser-stack"), workers=1) as stack:
        yield stack


@pytest.fixture
def hearing(stack: BrowserStack, browser: Browser) -> Iterator[tuple[Person, Person, Person]]:
    """Mediator, applicant and respondent of a new hearing, the parties admitted by the
    mediator from the waiting room. The applicant reaches the web through a proxy that a test
    can cut."""
    session = stack.demo_session()
    people: list[Person] = []
    proxy = CuttableProxy(int(stack.base_url.rsplit(":", 1)[1]))
    try:
        mediator = enter(browser, session.mediator_link)
        people.append(mediator)
        applicant = enter(browser, session.applicant_link, proxy=proxy)
        people.append(applicant)
        respondent = enter(browser, session.respondent_link)
        people.append(respondent)
        for party in (applicant, respondent):
            expect(party.page.get_by_test_id("waiting-room")).to_be_visible(timeout=15_000)
            admit(mediator, party)
            # Generous: the first admission also starts the recording (the default policy),
            # and a loaded machine then takes a while to let the second party in.
            expect(party.page.locator("#room")).to_have_attribute(
                "data-phase", "room", timeout=20_000
            )
        yield mediator, applicant, respondent
    finally:
        for person in people:
            person.context.close()
        proxy.close()
