from django.urls import URLPattern, URLResolver, path

from accord.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    # Reached from the case page.
    path("cases/<str:case_no>/draft/<str:kind>/", views.draft, name="draft"),
    path(
        "cases/<str:case_no>/versions/<uuid:version_uuid>/send/",
        views.send_to_signing,
        name="send_to_signing",
    ),
    path("cases/<str:case_no>/versions/<uuid:version_uuid>/sign/", views.sign, name="sign"),
    path(
        "cases/<str:case_no>/versions/<uuid:version_uuid>/sign/code/",
        views.sign_code,
        name="sign_code",
    ),
    path(
        "cases/<str:case_no>/versions/<uuid:version_uuid>.pdf",
        views.version_download,
        name="version_pdf",
    ),
    path(
        "cases/<str:case_no>/versions/<uuid:version_uuid>/sealed.pdf",
        views.version_download,
        {"sealed": True},
        name="sealed_pdf",
    ),
]
