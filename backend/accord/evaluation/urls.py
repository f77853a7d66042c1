from django.urls import URLPattern, URLResolver, path

from accord.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_evaluations, name="mine"),
    path("org/<str:code>/", views.org_overview, name="org_overview"),
    path("cases/<str:case_no>/request/", views.request_evaluation, name="request"),
    path("<uuid:evaluation_uuid>/", views.detail, name="detail"),
    path("<uuid:evaluation_uuid>/appoint/", views.appoint, name="appoint"),
    path("<uuid:evaluation_uuid>/declare/", views.declare, name="declare"),
    path("<uuid:evaluation_uuid>/decline/", views.decline, name="decline"),
    path("<uuid:evaluation_uuid>/report/", views.draft_report, name="draft_report"),
    path("<uuid:evaluation_uuid>/report/deliver/", views.deliver_report, name="deliver_report"),
    path("<uuid:evaluation_uuid>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<uuid:evaluation_uuid>/cancel/", views.cancel, name="cancel"),
]
