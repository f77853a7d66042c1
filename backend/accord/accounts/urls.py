from django.urls import path

from accord.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("staff/signin/", views.staff_signin, name="staff_signin"),
    path("staff/verify/", views.staff_totp, name="staff_totp"),
    path("staff/enroll/", views.staff_enroll, name="staff_enroll"),
    path("signout/", views.signout, name="signout"),
    path("link/<str:token>/", views.signin_link, name="link"),
]
