from django.urls import URLPattern, URLResolver

app_name = "orgs"

urlpatterns: list[URLPattern | URLResolver] = []
