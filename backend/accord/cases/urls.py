from django.urls import URLPattern, URLResolver, path

from accord.cases import views

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_cases, name="my_cases"),
    path("audit/", views.audit_cases, name="audit"),
    path("apply/", views.apply, name="apply"),
    path("consult/", views.consult, name="consult"),
    path("refer/", views.refer, name="refer"),
    path("consultations/<int:consultation_id>/", views.consultation_detail, name="consultation"),
    path(
        "consultations/<int:consultation_id>/convert/",
        views.consultation_convert,
        name="consultation_convert",
    ),
    path("<str:case_no>/", views.detail, name="detail"),
    path("<str:case_no>/transition/", views.transition, name="transition"),
    path("<str:case_no>/materials/", views.sign_materials, name="sign_materials"),
    path("<str:case_no>/evidence/", views.material_upload, name="material_upload"),
    path(
        "<str:case_no>/evidence/<uuid:evidence_uuid>/",
        views.material_download,
        name="material_download",
    ),
]
