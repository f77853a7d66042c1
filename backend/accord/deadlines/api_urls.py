from django.urls import URLPattern, URLResolver, path

from accord.deadlines import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<str:case_no>/deadlines/",
        api.CaseDeadlinesView.as_view(),
        name="api-case-deadlines",
    ),
    path(
        "cases/<str:case_no>/deadlines/<int:deadline_id>/extensions/",
        api.DeadlineExtensionsView.as_view(),
        name="api-deadline-extensions",
    ),
    path(
        "cases/<str:case_no>/extensions/<int:extension_id>/answer/",
        api.ExtensionAnswerView.as_view(),
        name="api-extension-answer",
    ),
    path(
        "cases/<str:case_no>/extensions/<int:extension_id>/apply/",
        api.ExtensionApplyView.as_view(),
        name="api-extension-apply",
    ),
]
