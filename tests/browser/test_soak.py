"""The issue's endurance check, not part of a normal run: three browsers hold a hearing with
a caucus for SOAK_MINUTES (say 5) and no video freezes. Run it with
`SOAK_MINUTES=5 make pytest ARGS="tests/browser/test_soak.py"`."""

from __future__ import annotations

import os
import time

import pytest

from tests.browser.people import Person, advancing, wait_sees

MINUTES = float(os.environ.get("SOAK_MINUTES", "0"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MINUTES <= 0, reason="set SOAK_MINUTES to run the endurance check"),
]


def test_a_hearing_with_a_caucus_holds_without_frozen_video(hearing) -> None:
    mediator, applicant, _respondent = hearing
    for viewer in hearing:
        for other in hearing:
            if other is not viewer:
                wait_sees(viewer, other)
    start = time.monotonic()
    end = start + MINUTES * 60
    frozen: list[str] = []
    in_caucus = False

    def pairs() -> list[tuple[Person, Person]]:
        if in_caucus:  # mediator with the applicant; the respondent waits alone
            return [(mediator, applicant), (applicant, mediator)]
        return [(v, o) for v in hearing for o in hearing if o is not v]

    while time.monotonic() < end:
        # Caucus through the middle third, plenary before and after.
        third = (time.monotonic() - start) / (MINUTES * 60 / 3)
        want_caucus = 1 <= third < 2
        if want_caucus != in_caucus:
            if want_caucus:
                mediator.page.locator(
                    f'[data-testid=caucus-button][data-participant-id="{applicant.participant_id}"]'
                ).click()
            else:
                mediator.page.get_by_test_id("all-plenary-button").click()
            in_caucus = want_caucus
            mediator.page.wait_for_timeout(3000)  # the move settles; not counted as frozen
            continue
        for viewer, other in pairs():
            if not advancing(viewer, other, seconds=1.0):
                frozen.append(
                    f"{time.monotonic() - start:.0f}s: "
                    f"{viewer.participant_id} froze on {other.participant_id}"
                )
    assert frozen == []
