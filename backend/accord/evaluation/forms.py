"""Forms of the evaluation pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.evaluation.models import EvaluationGround
from accord.evaluation.services import ReportInput

TEXT_MAX = 10000


def _text(label: Any, *, required: bool = True, rows: int = 4, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return str(obj)


class RequestForm(forms.Form):
    """Asking for an evaluation; ``grounds`` are those the asking side may use (one: no
    choice is shown)."""

    required_css_class = "required"

    ground = forms.ChoiceField(label=_("Why the case needs an evaluation"), choices=())
    reason = _text(_("Reason"), help_text=_("What the expert should look at, and why."))

    def __init__(self, *args: Any, grounds: list[EvaluationGround], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ground"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g.value, g.label) for g in grounds]
        if len(grounds) == 1:
            field.initial = grounds[0].value
            field.widget = forms.HiddenInput()
            field.required = False  # the service takes the one ground


class AppointForm(forms.Form):
    """Appointing (or, with ``replacing``, replacing) the expert; the override is offered
    once a declared conflict refused the expert (``offer_override``)."""

    required_css_class = "required"

    expert = _UserField(label=_("Independent expert"), queryset=User.objects.none())
    reason = _text(_("Reason for the replacement"), rows=3)
    override = forms.BooleanField(label=_("Appoint despite the declared conflict"), required=False)
    override_reason = _text(
        _("Written reason for appointing despite the conflict (required to override)"),
        required=False,
        rows=3,
    )

    def __init__(
        self,
        *args: Any,
        experts: QuerySet[User],
        replacing: bool = False,
        offer_override: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = experts
        if not replacing:
            del self.fields["reason"]
        if not offer_override:
            self.fields["override"].widget = forms.HiddenInput()
            self.fields["override_reason"].widget = forms.HiddenInput()


class DeclarationForm(forms.Form):
    required_css_class = "required"

    declaration = _text(
        _("Your independence declaration"),
        rows=5,
        help_text=_(
            "In your own words: you have no interest in the dispute and no relationship with "
            "the applicant, the financial institution or the mediator that could affect a "
            "neutral evaluation."
        ),
    )
    confirmed = forms.BooleanField(
        label=_(
            "I confirm that I am independent of the parties and the case, and that I keep "
            "what I read of the case confidential."
        ),
        required=False,
    )


class ReasonForm(forms.Form):
    required_css_class = "required"

    reason = _text(_("Reason"), rows=3)


class ReportForm(forms.Form):
    required_css_class = "required"

    questions = _text(_("Questions evaluated"), rows=3)
    findings = _text(
        _("Facts found"),
        rows=6,
        help_text=_("From the parties' statements and evidence."),
    )
    analysis = _text(_("Analysis"), required=False, rows=6)
    opinion = _text(_("Evaluation opinion"), rows=5)

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            questions=data.get("questions", ""),
            findings=data.get("findings", ""),
            analysis=data.get("analysis", ""),
            opinion=data.get("opinion", ""),
        )

    @staticmethod
    def initial_from(fields: dict[str, Any] | None) -> dict[str, Any]:
        fields = fields or {}
        return {
            name: fields.get(name, "") for name in ("questions", "findings", "analysis", "opinion")
        }
