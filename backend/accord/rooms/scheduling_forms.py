"""Forms of the scheduling pages: when, how long, who (each in a role), and why cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.rooms.models import ParticipantRole
from accord.rooms.scheduling import Candidate

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class HearingTimeForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )
    duration_minutes = forms.IntegerField(
        label=_("Planned duration (minutes)"), min_value=1, max_value=24 * 60, initial=60
    )
    join_opens_minutes = forms.IntegerField(
        label=_("Participants may enter (minutes before)"),
        min_value=0,
        max_value=24 * 60,
        initial=15,
        help_text=_("The join window: how early the room opens for the participants."),
    )


class ScheduleForm(HearingTimeForm):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Video mediation"))
    field_order = ["title", "scheduled_at", "duration_minutes", "join_opens_minutes"]

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for candidate in self.candidates:
            if candidate.fixed:
                continue
            pk = candidate.user.pk
            self.fields[f"take_{pk}"] = forms.BooleanField(
                label=str(candidate.user), required=False
            )
            self.fields[f"role_{pk}"] = forms.ChoiceField(
                label=_("Role"),
                choices=[(role.value, role.label) for role in candidate.roles],
                initial=candidate.roles[0].value,
                required=False,  # the usual role when left out
            )

    def people(self) -> list[dict[str, Any]]:
        """One row per candidate for the template: who, their fields, how they are told."""
        return [
            {
                "candidate": candidate,
                "take": None if candidate.fixed else self[f"take_{candidate.user.pk}"],
                "role": None if candidate.fixed else self[f"role_{candidate.user.pk}"],
            }
            for candidate in self.candidates
        ]

    def participants(self) -> list[tuple[User, ParticipantRole]]:
        """Precondition: ``is_valid()``."""
        chosen: list[tuple[User, ParticipantRole]] = []
        for candidate in self.candidates:
            if candidate.fixed:
                chosen.append((candidate.user, candidate.roles[0]))
            elif self.cleaned_data.get(f"take_{candidate.user.pk}"):
                role = ParticipantRole(
                    self.cleaned_data.get(f"role_{candidate.user.pk}") or candidate.roles[0]
                )
                chosen.append((candidate.user, role))
        return chosen

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not any(
            self.cleaned_data.get(f"take_{c.user.pk}") for c in self.candidates if not c.fixed
        ):
            self.add_error(None, _("Invite at least one participant besides the mediator."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
