from django.urls import URLPattern, URLResolver, path

from accord.conflicts import views

app_name = "conflicts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("relationships/", views.my_relationships, name="my_relationships"),
    path(
        "relationships/<int:relationship_id>/",
        views.relationship_edit,
        name="relationship_edit",
    ),
    path(
        "relationships/<int:relationship_id>/withdraw/",
        views.relationship_withdraw,
        name="relationship_withdraw",
    ),
    path("orgs/<str:code>/", views.org_overview, name="org_overview"),
    path("orgs/<str:code>/relationships/new/", views.org_declare, name="org_declare"),
    path("recusals/<int:application_id>/", views.recusal_decide, name="recusal_decide"),
    path("cases/<str:case_no>/recusal/", views.recusal_apply, name="recusal_apply"),
    path("cases/<str:case_no>/withdraw/", views.self_recusal, name="self_recusal"),
    path("cases/<str:case_no>/mediator/", views.replace_mediator, name="replace_mediator"),
]
