from django.urls import URLPattern, URLResolver, path

from accord.courts import views, views_feedback

app_name = "courts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("entrustments/<uuid:uuid>/", views.entrustment_detail, name="entrustment"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("entrustments/<uuid:uuid>/feedback/", views_feedback.feedback_page, name="feedback"),
]
