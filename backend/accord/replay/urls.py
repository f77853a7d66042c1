from django.urls import URLPattern, URLResolver, path

from accord.replay import views

app_name = "replay"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:case_no>/sessions/<uuid:session_id>/replay/", views.replay, name="replay"),
    path(
        "<str:case_no>/sessions/<uuid:session_id>/replay/media/<int:file_id>/",
        views.media,
        name="media",
    ),
    path("<str:case_no>/grants/", views.grant_create, name="grant_create"),
    path("<str:case_no>/grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
]
