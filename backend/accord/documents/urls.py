from django.urls import URLPattern, URLResolver, path

from accord.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
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
