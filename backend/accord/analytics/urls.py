from django.urls import URLPattern, URLResolver, path

from accord.analytics import views

app_name = "analytics"

# Mounted at /statistics/; reached from the navigation ("Oversight") of whoever has a scope.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<str:scope>/", views.dashboard_view, name="dashboard"),
    path("<str:scope>/tables/<str:key>.csv", views.table_csv, name="table_csv"),
    path("<str:scope>/tables/<str:key>.xlsx", views.table_xlsx, name="table_xlsx"),
    path("<str:scope>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<str:scope>/report.pdf", views.report_pdf, name="report_pdf"),
]
