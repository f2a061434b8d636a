from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.accounts import invitations, lockout
from localstandards.accounts.forms import ActivationForm, LoginForm
from localstandards.accounts.models import User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"memberships": request.user.cached_memberships})


@login_not_required
def activate(request: HttpRequest) -> HttpResponse:
    """The page the activation letter's QR code opens (?code=…): one code, one account, then logged in."""
    invitation, problem = None, ""
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            person = invitations.Person(
                first_name=data["first_name"],
                last_name=data["last_name"],
                position=data["position"],
                email=data["email"],
                phone=data["phone"],
                password=data["password1"],
            )
            try:
                user = invitations.activate(data["code"], person)
            except invitations.InvitationError as error:
                form.add_error("code", str(error))
            except ValidationError as error:
                form.add_error("password1", error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready. Welcome."))
                return redirect("home")
    else:
        form = ActivationForm(initial={"code": request.GET.get("code", "")})
        if request.GET.get("code"):
            # Say at once whether the code works (a read: nothing is written).
            try:
                invitation = invitations.find_usable(request.GET["code"])
            except invitations.InvitationError as error:
                problem = str(error)
    context = {"form": form, "invitation": invitation, "problem": problem, "title": _("Activate your account")}
    return render(request, "accounts/activate.html", context)


@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Clear a locked account's failed logins: officers, for accounts in their scope only (404 otherwise)."""
    target = User.objects.filter(pk=user_id).first()
    if target is None or not lockout.may_unlock(request.user, target):
        raise Http404
    lockout.unlock(request.user, target)
    messages.success(request, _("%(name)s can log in again.") % {"name": target.get_full_name() or target.username})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("home")
    return redirect(back)
