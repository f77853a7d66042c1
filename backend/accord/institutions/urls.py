from django.urls import URLPattern, URLResolver

app_name = "institutions"

urlpatterns: list[URLPattern | URLResolver] = []
