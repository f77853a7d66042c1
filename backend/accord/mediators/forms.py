"""Roster forms. They shape input; the services decide what is allowed (and say it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.mediators.models import (
    MediatorProfile,
    MediatorStatus,
    QualificationKind,
    SanctionKind,
    Specialty,
    TrainingKind,
)
from accord.orgs.models import Organization

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RosterFilterForm(forms.Form):
    org = forms.ChoiceField(label=_("Organization"), required=False)
    specialty = forms.ChoiceField(
        label=_("Specialty"),
        required=False,
        choices=[("", _("Any specialty")), *Specialty.choices],
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Every organization"))] + [
            (organization.code, organization.name) for organization in organizations
        ]


class ProfileForm(forms.Form):
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"),
        choices=Specialty.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    years_of_experience = forms.IntegerField(label=_("Years of experience"), initial=0)
    languages = forms.CharField(
        label=_("Languages"),
        max_length=200,
        required=False,
        help_text=_("Like: 普通话, English"),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB. Shown on the public roster."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    @staticmethod
    def initial_from(profile: MediatorProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            "specialties": profile.specialties,
            "years_of_experience": profile.years_of_experience,
            "languages": profile.languages,
        }


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Field"), choices=QualificationKind.choices)
    title = forms.CharField(label=_("Qualification"), max_length=200)
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=64)
    issued_on = forms.DateField(label=_("Issued on"), widget=_DATE)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (MediatorStatus.SUSPENDED.value, _("Suspend")),
            (MediatorStatus.ACTIVE.value, _("Reinstate (active)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ExitForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons for the exit"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    remove_from_cases = forms.BooleanField(
        label=_("Also take the mediator off these open cases now"), required=False
    )


class AssessmentForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=_DATE)
    period_end = forms.DateField(label=_("Period to"), widget=_DATE)
    score = forms.IntegerField(label=_("Score (0–100)"))
    comments = forms.CharField(
        label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RewardPenaltyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SanctionKind.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=_DATE)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    date = forms.DateField(label=_("Date"), widget=_DATE)
    hours = forms.DecimalField(label=_("Hours"), max_digits=6, decimal_places=1)
    provider = forms.CharField(label=_("Provider"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)


class AttendeesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.membership.user)


class GuidanceForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=_DATE)
    court = forms.CharField(label=_("Court"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), max_digits=6, decimal_places=1)
    attendees = AttendeesField(
        label=_("Mediators who attended"),
        queryset=MediatorProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, profiles: QuerySet[MediatorProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = profiles


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the mediation?"),
        choices=[
            (5, _("5 — very satisfied")),
            (4, _("4 — satisfied")),
            (3, _("3 — neither")),
            (2, _("2 — dissatisfied")),
            (1, _("1 — very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    fair = forms.TypedChoiceField(
        label=_("Was the mediator fair and impartial?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
