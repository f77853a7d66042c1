"""JSON of deadlines: every object that shows a due date shows ``provisional`` beside it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accord.cases.models import Case
from accord.deadlines.models import Deadline, DeadlineExtension
from accord.deadlines.selectors import extension_view


class ConsentSerializer(serializers.Serializer[Any]):
    party = serializers.CharField()
    consents = serializers.BooleanField(allow_null=True, help_text="null: not answered yet")
    recorded_at = serializers.DateTimeField(allow_null=True)


class ExtensionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    days = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField(help_text="pending, applied or rejected")
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    consents = ConsentSerializer(many=True)
    missing_consents = serializers.ListField(child=serializers.CharField())
    outside_trial_period = serializers.BooleanField(
        help_text="Court-entrusted case: the extension does not count toward the court's "
        "trial period (不计入审理期限)."
    )


class DeadlineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    subject = serializers.CharField()
    starts_on = serializers.DateField(help_text="The period starts after this day.")
    count = serializers.CharField(help_text="working or calendar")
    length_days = serializers.IntegerField()
    extension_days = serializers.IntegerField()
    due = serializers.DateField(help_text="The period ends at the end of this day.")
    provisional = serializers.BooleanField(
        help_text="Counted on weekends only (a year without holiday data): it may move."
    )
    status = serializers.CharField(help_text="open, met, missed or cancelled")
    status_label = serializers.CharField()
    outside_trial_period = serializers.BooleanField()
    extensions = ExtensionSerializer(many=True)


def extension_data(extension: DeadlineExtension, case: Case) -> dict[str, Any]:
    view = extension_view(extension, case)
    return {
        "id": extension.pk,
        "days": extension.days,
        "reason": extension.reason,
        "status": extension.status,
        "requested_at": extension.requested_at,
        "decided_at": extension.decided_at,
        "consents": [
            {"party": c.party, "consents": c.consents, "recorded_at": c.recorded_at}
            for c in view.consents
        ],
        "missing_consents": view.missing,
        "outside_trial_period": view.outside_trial_period,
    }


def deadline_data(deadline: Deadline, case: Case) -> dict[str, Any]:
    data = {
        "id": deadline.pk,
        "kind": deadline.kind,
        "kind_label": deadline.get_kind_display(),
        "subject": deadline.subject,
        "starts_on": deadline.starts_on,
        "count": deadline.count,
        "length_days": deadline.length_days,
        "extension_days": deadline.extension_days,
        "due": deadline.due_on,
        "provisional": deadline.provisional,
        "status": deadline.status,
        "status_label": deadline.get_status_display(),
        "outside_trial_period": case.channel == "court",
        "extensions": [extension_data(e, case) for e in deadline.extensions.all()],
    }
    return dict(DeadlineSerializer(data).data)


class ExtensionRequestInputSerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)


class ExtensionAnswerInputSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(help_text="applicant or institution: the party you answer for")
    consents = serializers.BooleanField()
