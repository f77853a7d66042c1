from django.urls import path

from accord.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_edit, name="year"),
]
