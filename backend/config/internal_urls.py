"""The URLconf of the internal listener (config.listeners): the media worker's endpoints and
the health check, nothing else."""

from __future__ import annotations

from django.urls import include, path

from accord.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("internal/media/", include("accord.recordings.api_urls")),
]
