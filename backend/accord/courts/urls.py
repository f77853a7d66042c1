from django.urls import URLPattern, URLResolver, path

from accord.courts import views, views_feedback

app_name = "courts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("entrustments/", views.inbox, name="inbox"),
    path("entrustments/<uuid:uuid>/", views.entrustment_detail, name="entrustment"),
    path(
        "entrustments/<uuid:uuid>/accept/",
        views.entrustment_accept_view,
        name="entrustment-accept",
    ),
    path(
        "entrustments/<uuid:uuid>/decline/",
        views.entrustment_decline_view,
        name="entrustment-decline",
    ),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("entrustments/<uuid:uuid>/feedback/", views_feedback.feedback_page, name="feedback"),
    path("callbacks/<int:callback_id>/resend/", views.callback_resend_view, name="callback-resend"),
    path("dockings/", views.dockings, name="dockings"),
    path("dockings/<str:court_code>/", views.docking_edit, name="docking"),
    path("dockings/<str:court_code>/keys/", views.key_create, name="key-create"),
    path(
        "dockings/<str:court_code>/keys/<int:key_pk>/rotate/", views.key_rotate, name="key-rotate"
    ),
    path(
        "dockings/<str:court_code>/keys/<int:key_pk>/revoke/", views.key_revoke, name="key-revoke"
    ),
]
