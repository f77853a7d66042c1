from django.urls import path

from accord.rooms import scheduling_views, views

app_name = "rooms"

urlpatterns = [
    path("cases/<str:case_no>/schedule/", scheduling_views.schedule, name="schedule"),
    path("<uuid:session_id>/", views.session_detail, name="session"),
    path("<uuid:session_id>/join/<str:token>/", views.join, name="join"),
    path(
        "<uuid:session_id>/participants/<int:participant_id>/join-link/",
        views.join_link,
        name="join_link",
    ),
    path("<uuid:session_id>/check/", views.device_check, name="device_check"),
    path("<uuid:session_id>/room/", views.room, name="room"),
    path("<uuid:session_id>/manage/", scheduling_views.manage, name="manage"),
    path("<uuid:session_id>/manage/time/", scheduling_views.reschedule, name="reschedule"),
    path("<uuid:session_id>/manage/cancel/", scheduling_views.cancel, name="cancel"),
    path(
        "<uuid:session_id>/manage/participants/<int:participant_id>/resend/",
        scheduling_views.link_resend,
        name="link_resend",
    ),
    path(
        "<uuid:session_id>/manage/participants/<int:participant_id>/revoke/",
        scheduling_views.link_revoke,
        name="link_revoke",
    ),
]
