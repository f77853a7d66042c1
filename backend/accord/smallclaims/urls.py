from django.urls import URLPattern, URLResolver, path

from accord.smallclaims import views

app_name = "smallclaims"

urlpatterns: list[URLPattern | URLResolver] = [
    # Reached from the navigation (institution staff, organization administrators).
    path("memoranda/", views.memoranda, name="memoranda"),
    path("memoranda/new/", views.memorandum_new, name="memorandum_create"),
    path("memoranda/<int:pk>/", views.memorandum_edit, name="memorandum_edit"),
    path("memoranda/<int:pk>/delete/", views.memorandum_remove, name="memorandum_delete"),
    # Reached from the case page.
    path("cases/<str:case_no>/proposals/new/", views.proposal_new, name="proposal_issue"),
    path("proposals/<uuid:proposal_uuid>/", views.proposal_detail, name="proposal"),
    path(
        "proposals/<uuid:proposal_uuid>/accept/",
        views.proposal_accept_view,
        name="proposal_accept",
    ),
    path(
        "proposals/<uuid:proposal_uuid>/refuse/",
        views.proposal_refuse_view,
        name="proposal_refuse",
    ),
]
