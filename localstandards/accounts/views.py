from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from localstandards.accounts.forms import LoginForm
from localstandards.accounts.oidc import sso_enabled


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_enabled": sso_enabled()}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": request.user.cached_memberships,
        "sso_enabled": sso_enabled(),
        "identities": request.user.oidc_identities.order_by("linked_at"),
    }
    return render(request, "accounts/profile.html", context)
