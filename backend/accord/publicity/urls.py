from django.urls import URLPattern, URLResolver

app_name = "publicity"

urlpatterns: list[URLPattern | URLResolver] = []
