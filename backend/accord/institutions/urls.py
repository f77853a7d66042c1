from django.urls import URLPattern, URLResolver, path

from accord.institutions import views

app_name = "institutions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/", views.manage_index, name="manage_index"),
    path("manage/<str:code>/channels/", views.channels, name="channels"),
    path("manage/<str:code>/channels/<int:channel_id>/", views.channel_edit, name="channel_edit"),
    path(
        "manage/<str:code>/channels/<int:channel_id>/delete/",
        views.channel_delete,
        name="channel_delete",
    ),
    path("manage/<str:code>/contacts/", views.contacts, name="contacts"),
    path("manage/<str:code>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        "manage/<str:code>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("manage/<str:code>/clauses/", views.clauses, name="clauses"),
    path("manage/<str:code>/clauses/<int:clause_id>/", views.clause_edit, name="clause_edit"),
    path(
        "manage/<str:code>/clauses/<int:clause_id>/delete/",
        views.clause_delete,
        name="clause_delete",
    ),
    path("manage/<str:code>/cases/", views.cases, name="cases"),
    path("manage/<str:code>/report/", views.report, name="report"),
    path("<str:code>/", views.public, name="public"),
]
