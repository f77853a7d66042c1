from django.urls import URLPattern, URLResolver, path

from accord.publicity import views

app_name = "publicity"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", views.library, name="library"),
    path("cases/<int:typical_id>/", views.case_detail, name="case"),
    path("events/", views.events, name="events"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("draft/<str:case_no>/", views.draft, name="draft"),
    path("manage/<slug:code>/", views.manage, name="manage"),
    path("manage/<slug:code>/cases/<int:typical_id>/", views.review, name="review"),
    path("manage/<slug:code>/cases/<int:typical_id>/withdraw/", views.withdraw, name="withdraw"),
    path("manage/<slug:code>/events/new/", views.event_new, name="event_create"),
    path("manage/<slug:code>/events/<int:event_id>/", views.event_edit, name="event_edit"),
    path(
        "manage/<slug:code>/events/<int:event_id>/publish/",
        views.event_publish_view,
        name="event_publish",
    ),
    path(
        "manage/<slug:code>/events/<int:event_id>/cancel/",
        views.event_cancel_view,
        name="event_cancel",
    ),
]
