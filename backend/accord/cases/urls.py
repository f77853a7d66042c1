from django.urls import URLPattern, URLResolver, path

from accord.cases import procedure_views, views

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
    path("<str:case_no>/complexity/", views.change_complexity, name="complexity"),
    path("<str:case_no>/evidence/", views.material_upload, name="material_upload"),
    path("<str:case_no>/answer/", procedure_views.answer, name="answer"),
    path("<str:case_no>/transfer/", procedure_views.transfer_request, name="transfer_request"),
    path(
        "<str:case_no>/transfers/<int:transfer_id>/accept/",
        procedure_views.transfer_accept,
        name="transfer_accept",
    ),
    path(
        "<str:case_no>/transfers/<int:transfer_id>/decline/",
        procedure_views.transfer_decline,
        name="transfer_decline",
    ),
    path(
        "<str:case_no>/evidence/<uuid:evidence_uuid>/",
        views.material_download,
        name="material_download",
    ),
]
