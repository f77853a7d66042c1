from django.urls import path

from accord.rooms import views

app_name = "rooms"

urlpatterns = [
    path("<uuid:session_id>/", views.session_detail, name="session"),
]
