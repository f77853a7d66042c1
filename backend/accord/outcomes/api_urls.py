from django.urls import URLPattern, URLResolver, path

from accord.outcomes import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<str:case_no>/outcomes/", api.CaseOutcomesView.as_view(), name="api-outcomes"),
    path(
        "cases/<str:case_no>/obligations/<int:obligation_id>/confirm/",
        api.ObligationConfirmView.as_view(),
        name="api-obligation-confirm",
    ),
    path(
        "cases/<str:case_no>/confirmations/",
        api.ConfirmationsView.as_view(),
        name="api-confirmations",
    ),
    path(
        "cases/<str:case_no>/confirmations/<uuid:uuid>/consent/",
        api.ConfirmationConsentView.as_view(),
        name="api-confirmation-consent",
    ),
    path(
        "cases/<str:case_no>/notarizations/",
        api.NotarizationsView.as_view(),
        name="api-notarizations",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/consent/",
        api.NotarizationConsentView.as_view(),
        name="api-notarization-consent",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/guarantor-consent/",
        api.GuarantorConsentView.as_view(),
        name="api-notarization-guarantor-consent",
    ),
    path(
        "cases/<str:case_no>/notarizations/<uuid:uuid>/refer/",
        api.NotarizationReferView.as_view(),
        name="api-notarization-refer",
    ),
    path(
        "cases/<str:case_no>/failure/notice/",
        api.FailureNoticeView.as_view(),
        name="api-failure-notice",
    ),
    path(
        "cases/<str:case_no>/failure/referral/",
        api.FailureReferralView.as_view(),
        name="api-failure-referral",
    ),
    path(
        "court/confirmations/",
        api.CourtConfirmationsView.as_view(),
        name="api-court-confirmations",
    ),
    path(
        "court/confirmations/<uuid:uuid>/outcome/",
        api.CourtConfirmationOutcomeView.as_view(),
        name="api-court-confirmation-outcome",
    ),
    path("notary/referrals/", api.NotaryReferralsView.as_view(), name="api-notary-referrals"),
    path(
        "notary/referrals/<uuid:uuid>/outcome/",
        api.NotaryReferralOutcomeView.as_view(),
        name="api-notary-referral-outcome",
    ),
]
