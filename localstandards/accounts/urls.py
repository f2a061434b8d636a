from django.contrib.auth import views as auth_views
from django.urls import path

from localstandards.accounts import oidc, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("activate/", views.activate, name="activate"),
    path("unlock/<int:user_id>/", views.unlock, name="unlock"),
    path("request-access/", views.request_access, name="request-access"),
    path("access-requests/", views.access_request_list, name="access-requests"),
    path("two-factor/", views.two_factor_setup, name="two-factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    # Single sign-on (OpenID Connect); mozilla-django-oidc reverses these two names.
    path("sso/login/", oidc.start, name="oidc_authentication_init"),
    path("sso/callback/", oidc.callback, name="oidc_authentication_callback"),
    path("sso/link/", oidc.link, name="sso-link"),
]
