from django.urls import URLPattern, URLResolver, path

from accord.packages import views

app_name = "packages"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:case_no>/verify/", views.verify, name="verify"),
    path("<str:case_no>/package/", views.package_download, name="package"),
]
