from django.urls import URLPattern, URLResolver, path

from accord.alerts import views

app_name = "alerts"

urlpatterns: list[URLPattern | URLResolver] = [
    # Every scope of the user (linked from the oversight index and the notices).
    path("", views.index, name="index"),
    path("<str:scope>/", views.alert_list, name="list"),
    path("<str:scope>/<int:pk>/", views.alert_detail, name="detail"),
    path("<str:scope>/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:scope>/<int:pk>/close/", views.close, name="close"),
]
