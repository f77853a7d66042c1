"""``/api/court/v1/``: the court mediation platform's API (docs/court-api.md)."""

from django.urls import URLPattern, URLResolver, path

from accord.courts import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("entrustments", api.EntrustmentsView.as_view(), name="api-court-entrustments"),
    path(
        "entrustments/<uuid:entrustment_id>",
        api.EntrustmentView.as_view(),
        name="api-court-entrustment",
    ),
    path(
        "entrustments/<uuid:entrustment_id>/recusals",
        api.EntrustmentRecusalView.as_view(),
        name="api-court-entrustment-recusals",
    ),
    path(
        "entrustments/<uuid:entrustment_id>/feedback-letter",
        api.EntrustmentFeedbackLetterView.as_view(),
        name="api-court-entrustment-feedback-letter",
    ),
    path("confirmations", api.ConfirmationsView.as_view(), name="api-court-v1-confirmations"),
    path(
        "confirmations/<uuid:confirmation_id>",
        api.ConfirmationView.as_view(),
        name="api-court-v1-confirmation",
    ),
    path(
        "confirmations/<uuid:confirmation_id>/package",
        api.ConfirmationPackageView.as_view(),
        name="api-court-v1-confirmation-package",
    ),
    path(
        "confirmations/<uuid:confirmation_id>/outcome",
        api.ConfirmationOutcomeView.as_view(),
        name="api-court-v1-confirmation-outcome",
    ),
]
