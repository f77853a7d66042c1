from django.urls import URLPattern, URLResolver, path

from accord.inbox import views

app_name = "inbox"

urlpatterns: list[URLPattern | URLResolver] = [path("", views.index, name="index")]
