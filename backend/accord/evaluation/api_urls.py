from django.urls import URLPattern, URLResolver, path

from accord.evaluation import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<str:case_no>/evaluations/",
        api.CaseEvaluationsView.as_view(),
        name="api-case-evaluations",
    ),
    path("evaluations/", api.MyEvaluationsView.as_view(), name="api-evaluations-mine"),
    path(
        "evaluations/<uuid:evaluation_uuid>/",
        api.EvaluationView.as_view(),
        name="api-evaluation",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/expert/",
        api.AppointView.as_view(),
        name="api-evaluation-appoint",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/expert/replace/",
        api.ReplaceView.as_view(),
        name="api-evaluation-replace",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/declaration/",
        api.DeclarationView.as_view(),
        name="api-evaluation-declaration",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/decline/",
        api.DeclineView.as_view(),
        name="api-evaluation-decline",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/report/",
        api.ReportView.as_view(),
        name="api-evaluation-report",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/report/deliver/",
        api.DeliverView.as_view(),
        name="api-evaluation-deliver",
    ),
    path(
        "evaluations/<uuid:evaluation_uuid>/cancel/",
        api.CancelView.as_view(),
        name="api-evaluation-cancel",
    ),
]
