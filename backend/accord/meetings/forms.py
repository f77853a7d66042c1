"""Forms of the joint-meeting pages. They check the shape of the input; the services decide
(their refusals land on the fields through ``add_service_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.alerts.models import Alert
from accord.meetings.models import Attendance, JointMeeting
from accord.meetings.services.meetings import NAME_MAX, PLACE_MAX, TEXT_MAX, TITLE_MAX, MeetingInput
from accord.orgs.models import Organization


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )

    @classmethod
    def of(cls, meeting: JointMeeting) -> dict[str, Any]:
        return {
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "agenda": meeting.agenda,
            "summary": meeting.summary,
        }

    def meeting_input(self) -> MeetingInput:
        data = self.cleaned_data
        return MeetingInput(
            title=data["title"],
            starts_at=data["starts_at"],
            place=data["place"],
            agenda=data["agenda"],
            summary=data["summary"],
        )


class AttendeeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    user = _UserChoice(
        label=_("Account (if the person has one)"), queryset=User.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Name (without an account)"), max_length=NAME_MAX, required=False
    )
    position = forms.CharField(label=_("Position"), max_length=NAME_MAX, required=False)
    attendance = forms.ChoiceField(
        label=_("Attendance"), choices=Attendance.choices, initial=Attendance.INVITED
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        users: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "attendee")
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = users


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class CaseForm(forms.Form):
    case_no = forms.CharField(label=_("Case number"), max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "case")
        super().__init__(*args, **kwargs)


class _AlertChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        window = f"{obj.window_start:%Y-%m-%d} – {obj.window_end:%Y-%m-%d}"
        return f"{obj} · {obj.get_status_display()} · {window}"


class AlertForm(forms.Form):
    alert = _AlertChoice(label=_("Alert"), queryset=Alert.objects.none())

    def __init__(self, *args: Any, alerts: QuerySet[Alert], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "alert")
        super().__init__(*args, **kwargs)
        field = self.fields["alert"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = alerts


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=TEXT_MAX, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "decision")
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("Follow-up"), max_length=TEXT_MAX, widget=forms.Textarea)
    owner_organization = forms.ModelChoiceField(
        label=_("Owner organization"), queryset=Organization.objects.none()
    )
    owner_user = _UserChoice(
        label=_("Owner (person, optional)"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        users: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "follow_up")
        super().__init__(*args, **kwargs)
        field = self.fields["owner_organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        user_field = self.fields["owner_user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = users


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
