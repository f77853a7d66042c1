from django.urls import URLPattern, URLResolver, path

from accord.outcomes import desk_views, views

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    # Reached from the case page.
    path(
        "cases/<str:case_no>/obligations/<int:obligation_id>/confirm/",
        views.obligation_confirm,
        name="obligation_confirm",
    ),
    path(
        "cases/<str:case_no>/agreements/<uuid:version>/confirmation/",
        views.confirmation_apply,
        name="confirmation_apply",
    ),
    path(
        "cases/<str:case_no>/confirmations/<uuid:uuid>/consent/",
        views.confirmation_consent,
        name="confirmation_consent",
    ),
    path(
        "cases/<str:case_no>/confirmations/<uuid:uuid>/package/",
        views.confirmation_package,
        name="confirmation_package",
    ),
    path(
        "cases/<str:case_no>/agreements/<uuid:version>/notarization/",
        views.notarization_request,
        name="notarization_request",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/consent/",
        views.notarization_consent,
        name="notarization_consent",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/guarantor/",
        views.notarization_guarantor,
        name="notarization_guarantor",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/refer/",
        views.notarization_refer,
        name="notarization_refer",
    ),
    path("cases/<str:case_no>/failure/notice/", views.failure_notice, name="failure_notice"),
    path("cases/<str:case_no>/failure/referral/", views.failure_referral, name="failure_referral"),
    # The court clerks' desk.
    path("court/", desk_views.court_index, name="court_index"),
    path(
        "court/confirmations/<uuid:uuid>/",
        desk_views.court_confirmation,
        name="court_confirmation",
    ),
    path(
        "court/confirmations/<uuid:uuid>/package/",
        desk_views.court_package,
        name="court_package",
    ),
    path("court/referrals/<str:case_no>/", desk_views.court_referral, name="court_referral"),
    path(
        "court/referrals/<str:case_no>/notice/",
        desk_views.court_referral_notice,
        name="court_referral_notice",
    ),
    # The notaries' desk.
    path("notary/", desk_views.notary_index, name="notary_index"),
    path("notary/referrals/<uuid:uuid>/", desk_views.notary_referral, name="notary_referral"),
    path(
        "notary/referrals/<uuid:uuid>/<str:role>.pdf",
        desk_views.notary_document,
        name="notary_document",
    ),
]
