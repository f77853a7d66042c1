from django.urls import URLPattern, URLResolver, path

from accord.recordings import views

app_name = "recordings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:case_no>/holds/", views.hold_place, name="hold_place"),
    path("<str:case_no>/holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
]
