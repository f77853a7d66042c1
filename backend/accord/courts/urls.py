from django.urls import URLPattern, URLResolver, path

from accord.courts import views

app_name = "courts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("entrustments/<uuid:uuid>/", views.entrustment_detail, name="entrustment"),
    path("callbacks/", views.callbacks, name="callbacks"),
]
