from django.urls import URLPattern, URLResolver, path

from accord.cases import api, procedure_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", api.CaseListCreateView.as_view(), name="api-cases"),
    path("cases/<str:case_no>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        "cases/<str:case_no>/transitions/",
        api.CaseTransitionView.as_view(),
        name="api-case-transitions",
    ),
    path(
        "cases/<str:case_no>/mediator/",
        api.CaseMediatorView.as_view(),
        name="api-case-mediator",
    ),
    path(
        "cases/<str:case_no>/complexity/",
        api.CaseComplexityView.as_view(),
        name="api-case-complexity",
    ),
    path(
        "cases/<str:case_no>/evidence/", api.CaseMaterialsView.as_view(), name="api-case-materials"
    ),
    path(
        "cases/<str:case_no>/answer/",
        procedure_api.CaseAnswerView.as_view(),
        name="api-case-answer",
    ),
    path(
        "cases/<str:case_no>/transfers/",
        procedure_api.CaseTransfersView.as_view(),
        name="api-case-transfers",
    ),
    path(
        "cases/<str:case_no>/transfers/<int:transfer_id>/accept/",
        procedure_api.TransferAcceptView.as_view(),
        name="api-case-transfer-accept",
    ),
    path(
        "cases/<str:case_no>/transfers/<int:transfer_id>/decline/",
        procedure_api.TransferDeclineView.as_view(),
        name="api-case-transfer-decline",
    ),
    path("transfers/", procedure_api.TransfersWaitingView.as_view(), name="api-transfers-waiting"),
    path("consultations/", api.ConsultationListCreateView.as_view(), name="api-consultations"),
    path(
        "consultations/<int:consultation_id>/",
        api.ConsultationDetailView.as_view(),
        name="api-consultation-detail",
    ),
    path(
        "consultations/<int:consultation_id>/answer/",
        api.ConsultationAnswerView.as_view(),
        name="api-consultation-answer",
    ),
    path(
        "consultations/<int:consultation_id>/convert/",
        api.ConsultationConvertView.as_view(),
        name="api-consultation-convert",
    ),
]
