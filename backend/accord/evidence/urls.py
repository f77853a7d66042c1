from django.urls import URLPattern, URLResolver, path

from accord.evidence import views

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:case_no>/verify/", views.verify, name="verify"),
    path("<str:case_no>/package/", views.package_download, name="package"),
    path("<str:case_no>/grants/", views.grant_create, name="grant_create"),
    path("<str:case_no>/grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("<str:case_no>/holds/", views.hold_place, name="hold_place"),
    path("<str:case_no>/holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
]
