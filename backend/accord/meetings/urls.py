from django.urls import URLPattern, URLResolver, path

from accord.meetings import views

app_name = "meetings"

# Reached from the oversight index (meetings:list, per scope), then by clicking.
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:scope>/", views.meeting_list, name="list"),
    path("<str:scope>/new/", views.meeting_new, name="create"),
    path("<str:scope>/<int:pk>/", views.meeting_detail, name="detail"),
    path("<str:scope>/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<str:scope>/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<str:scope>/<int:pk>/held/", views.meeting_hold, name="hold"),
    path("<str:scope>/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<str:scope>/<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path(
        "<str:scope>/<int:pk>/attendees/<int:attendee_id>/attendance/",
        views.attendee_mark,
        name="attendee_mark",
    ),
    path(
        "<str:scope>/<int:pk>/attendees/<int:attendee_id>/remove/",
        views.attendee_remove,
        name="attendee_remove",
    ),
    path("<str:scope>/<int:pk>/cases/", views.case_attach, name="case_attach"),
    path(
        "<str:scope>/<int:pk>/cases/<int:case_id>/remove/",
        views.case_detach,
        name="case_detach",
    ),
    path("<str:scope>/<int:pk>/alerts/", views.alert_attach, name="alert_attach"),
    path(
        "<str:scope>/<int:pk>/alerts/<int:alert_id>/remove/",
        views.alert_detach,
        name="alert_detach",
    ),
    path("<str:scope>/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("<str:scope>/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path(
        "<str:scope>/<int:pk>/follow-ups/<int:follow_up_id>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
]
