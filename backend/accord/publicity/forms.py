"""Forms of the publicity pages: the reviewer's texts, the withdrawal, the events, the
library's search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accord.cases.models import FINANCIAL_BUSINESS_TYPES, BusinessType
from accord.orgs.models import Organization
from accord.publicity.models import EventKind, OutreachEvent, TypicalCase
from accord.publicity.selectors import LibraryFilter
from accord.publicity.services.events import EventInput
from accord.publicity.services.typical import TypicalTexts


def _text(label: StrOrPromise, *, required: bool = False, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class TypicalCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    facts = _text(_("Facts (anonymized)"), required=True, rows=8)
    claims = _text(_("Claims (anonymized)"), rows=3)
    course = _text(_("Course and outcome of the mediation (anonymized)"))
    lessons = _text(_("Lessons (typical significance)"))
    judgment_facts = _text(_("Model judgment: fact-finding"), rows=4)
    judgment_standard = _text(_("Model judgment: legal standard"), rows=4)
    reviewed = forms.BooleanField(
        label=_("I have reviewed it against the original."),
        required=False,
        help_text=_("Needed to publish."),
    )

    @classmethod
    def initial_of(cls, typical: TypicalCase) -> dict[str, object]:
        return dict(typical.texts())

    def texts(self) -> TypicalTexts:
        data = self.cleaned_data
        return TypicalTexts(
            title=data["title"],
            facts=data["facts"],
            claims=data["claims"],
            course=data["course"],
            lessons=data["lessons"],
            judgment_facts=data["judgment_facts"],
            judgment_standard=data["judgment_standard"],
        )


class WithdrawForm(forms.Form):
    reason = _text(_("Reason of the withdrawal"), required=True, rows=3)


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    event_kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=300)
    description = _text(_("Description"))
    registration = _text(_("How to register"), rows=3)
    registration_url = forms.URLField(
        label=_("Registration web address"), required=False, assume_scheme="https"
    )

    @classmethod
    def initial_of(cls, event: OutreachEvent) -> dict[str, object]:
        return {name: getattr(event, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        return data

    def event_input(self) -> EventInput:
        data = self.cleaned_data
        return EventInput(
            title=data["title"],
            event_kind=data["event_kind"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            description=data["description"],
            registration=data["registration"],
            registration_url=data["registration_url"],
        )


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    business_type = forms.ChoiceField(label=_("Business type"), required=False)
    organization = forms.ChoiceField(label=_("Mediation organization"), required=False)

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        business = [
            (v, label) for v, label in BusinessType.choices if v in FINANCIAL_BUSINESS_TYPES
        ]
        business_field = self.fields["business_type"]
        assert isinstance(business_field, forms.ChoiceField)
        business_field.choices = [("", _("Any")), *business]
        org_field = self.fields["organization"]
        assert isinstance(org_field, forms.ChoiceField)
        org_field.choices = [
            ("", _("Any")),
            *((org.code, org.name) for org in organizations),
        ]

    def filters(self) -> LibraryFilter:
        if not self.is_valid():
            return LibraryFilter()
        data = self.cleaned_data
        return LibraryFilter(
            query=data["q"], business_type=data["business_type"], organization=data["organization"]
        )
