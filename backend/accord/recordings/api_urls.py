from django.urls import path

from accord.recordings import api

app_name = "recordings_api"

urlpatterns = [
    path("segments", api.SegmentsView.as_view(), name="segments"),
    path("interruptions", api.InterruptionsView.as_view(), name="interruptions"),
    path("flushed", api.FlushedView.as_view(), name="flushed"),
]
