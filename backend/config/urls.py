"""URL configuration."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView

from accord.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.ico", permanent=True),
        name="favicon",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("accord.cases.api_urls")),
    path("api/", include("accord.deadlines.api_urls")),
    path("api/", include("accord.outcomes.api_urls")),
    path("api/", include("accord.evaluation.api_urls")),
    path("api/court/v1/", include("accord.courts.api_urls")),
    # /internal/media/ is served only on the internal listener (config.internal_urls).
    path("django-admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("accord.core.urls")),
    path("accounts/", include("accord.accounts.urls")),
    path("orgs/", include("accord.orgs.urls")),
    path("workdays/", include("accord.workdays.urls")),
    path("notices/", include("accord.inbox.urls")),
    path("deadlines/", include("accord.deadlines.urls")),
    path("cases/", include("accord.packages.urls")),
    path("cases/", include("accord.recordings.urls")),
    path("cases/", include("accord.replay.urls")),
    path("cases/", include("accord.cases.urls")),
    path("rooms/", include("accord.rooms.urls")),
    path("mediators/", include("accord.mediators.urls")),
    path("conflicts/", include("accord.conflicts.urls")),
    path("outcomes/", include("accord.outcomes.urls")),
    path("evaluation/", include("accord.evaluation.urls")),
    path("documents/", include("accord.documents.urls")),
    path("smallclaims/", include("accord.smallclaims.urls")),
    path("courts/", include("accord.courts.urls")),
    path("statistics/", include("accord.analytics.urls")),
    path("alerts/", include("accord.alerts.urls")),
    path("meetings/", include("accord.meetings.urls")),
    path("publicity/", include("accord.publicity.urls")),
    path("institutions/", include("accord.institutions.urls")),
    prefix_default_language=False,
)
