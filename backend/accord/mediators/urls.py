from django.urls import path

from accord.mediators import admin_views, views

app_name = "mediators"

_one = "manage/<str:code>/mediators/<int:membership_id>/"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("photos/<int:profile_id>/", views.photo, name="photo"),
    path("feedback/<str:case_no>/", views.feedback, name="feedback"),
    path("manage/<str:code>/", admin_views.manage_roster, name="manage"),
    path("manage/<str:code>/guidance/", admin_views.guidance, name="guidance"),
    path(_one, admin_views.detail, name="detail"),
    path(f"{_one}profile/", admin_views.profile_edit, name="profile_edit"),
    path(f"{_one}qualifications/", admin_views.qualification_add, name="qualification_add"),
    path(
        f"{_one}qualifications/<int:qualification_id>/remove/",
        admin_views.qualification_remove,
        name="qualification_remove",
    ),
    path(f"{_one}rewards/", admin_views.reward_add, name="reward_add"),
    path(f"{_one}trainings/", admin_views.training_add, name="training_add"),
    path(f"{_one}status/", admin_views.status_change, name="status"),
    path(f"{_one}exit/", admin_views.exit_decision, name="exit"),
    path(f"{_one}assess/", admin_views.assess, name="assess"),
]
