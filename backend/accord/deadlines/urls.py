from django.urls import URLPattern, URLResolver, path

from accord.deadlines import views

app_name = "deadlines"

urlpatterns: list[URLPattern | URLResolver] = [
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/<str:code>/", views.overdue_org, name="overdue_org"),
    path("cases/<str:case_no>/<int:deadline_id>/extend/", views.extend, name="extend"),
    path(
        "cases/<str:case_no>/<int:deadline_id>/court-period/",
        views.court_period,
        name="court_period",
    ),
    path(
        "cases/<str:case_no>/extensions/<int:extension_id>/answer/",
        views.answer,
        name="answer",
    ),
    path(
        "cases/<str:case_no>/extensions/<int:extension_id>/apply/",
        views.apply,
        name="apply",
    ),
]
