from django.urls import path

from accord.rooms import views

app_name = "rooms"

urlpatterns = [
    path("<uuid:session_id>/", views.session_detail, name="session"),
    path("<uuid:session_id>/join/<str:token>/", views.join, name="join"),
    path(
        "<uuid:session_id>/participants/<int:participant_id>/join-link/",
        views.join_link,
        name="join_link",
    ),
    path("<uuid:session_id>/check/", views.device_check, name="device_check"),
    path("<uuid:session_id>/room/", views.room, name="room"),
]
