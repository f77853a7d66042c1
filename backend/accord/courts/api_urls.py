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
]
