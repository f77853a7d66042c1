from django.urls import path

from accord.orgs import views

app_name = "orgs"

urlpatterns = [
    path("institutions/", views.institutions, name="institutions"),
    path("manage/", views.manage_index, name="manage_index"),
    path("manage/<str:code>/", views.manage, name="manage"),
    path("manage/<str:code>/members/grant/", views.member_grant, name="member_grant"),
    path(
        "manage/<str:code>/members/<int:membership_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path("manage/<str:code>/rules/", views.rules, name="rules"),
    path("manage/<str:code>/channels/", views.channels, name="channels"),
    path("manage/<str:code>/channels/<int:channel_id>/", views.channel_edit, name="channel_edit"),
    path(
        "manage/<str:code>/channels/<int:channel_id>/delete/",
        views.channel_delete,
        name="channel_delete",
    ),
]
