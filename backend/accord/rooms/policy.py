"""The organization's recording policy as a hearing applies it, and the words that announce it.

The notice every participant accepts before entering, the SMS that tells them of the hearing
and the room itself say the same thing, all from :func:`recording_policy`.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext as _

from accord.cases.models import Case
from accord.orgs.models import MediationRules, RecordingStart


class RecordingPolicy(NamedTuple):
    start: RecordingStart
    record_caucus: bool

    @property
    def auto_start(self) -> bool:
        """Recording starts by itself when the first party is admitted, and runs to the end
        (the mediator may pause it with a reason, and resume)."""
        return self.start == RecordingStart.AUTO


# An organization without a rules row records by default: the notice promises a record.
DEFAULT_POLICY = RecordingPolicy(start=RecordingStart.AUTO, record_caucus=False)


def recording_policy(case: Case) -> RecordingPolicy:
    """The case organization's ``MediationRules`` recording settings, else the default."""
    rules = MediationRules.objects.filter(organization_id=case.organization_id).first()
    if rules is None:
        return DEFAULT_POLICY
    return RecordingPolicy(
        start=RecordingStart(rules.recording_start), record_caucus=rules.record_caucus
    )


def recording_notice(policy: RecordingPolicy) -> list[str]:
    """The recording part of the session rules, one sentence a line."""
    if policy.auto_start:
        when = _(
            "This hearing is recorded in audio and video, by itself, from the moment the first "
            "party is admitted until the hearing ends. The recording is kept with the case file "
            "and may be used as evidence."
        )
    else:
        when = _(
            "This hearing is recorded in audio and video from the moment the mediator starts "
            "the recording; everyone in the room sees when it is recording. The recording is "
            "kept with the case file and may be used as evidence."
        )
    pause = _(
        "The mediator can pause the recording and resume it; a pause states its reason, which "
        "everyone in the room sees and which is kept in the case record."
    )
    if policy.record_caucus:
        caucus = _("Private sessions of the mediator with one side are recorded too.")
    else:
        caucus = _("Private sessions of the mediator with one side are not recorded.")
    return [when, pause, caucus]


def recording_notice_short(policy: RecordingPolicy) -> str:
    """One sentence for the SMS that announces a hearing."""
    if policy.auto_start:
        return _("The hearing is recorded in audio and video from the start.")
    return _("The hearing is recorded in audio and video once the mediator starts the recording.")
