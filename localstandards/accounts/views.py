import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from localstandards.accounts import access_requests, invitations, lockout, two_factor
from localstandards.accounts.forms import AccessRequestForm, ActivationForm, LoginForm, search_local_governments
from localstandards.accounts.models import User
from localstandards.accounts.oidc import sso_enabled
from localstandards.core.request_input import id_from, safe_next


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_enabled": sso_enabled()}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": request.user.cached_memberships,
        "can_decide_requests": request.user.has_role(*access_requests.DECIDING_ROLES) or request.user.is_national_admin,
        "sso_enabled": sso_enabled(),
        "identities": request.user.oidc_identities.order_by("linked_at"),
    }
    return render(request, "accounts/profile.html", context)


@login_not_required
def activate(request: HttpRequest) -> HttpResponse:
    """The page the activation letter's QR code opens (?code=…): one code, one account, then logged in."""
    invitation, problem = None, ""
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            person = form.person()
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
    return HttpResponseRedirect(safe_next(request, request.POST.get("next"), reverse("home")))


@login_not_required
def request_access(request: HttpRequest) -> HttpResponse:
    """Someone without an account finds their local government (name or DLA code) and asks for a role."""
    query = request.GET.get("q", "").strip()
    if request.method == "POST":
        form = AccessRequestForm(request.POST)
        if form.is_valid():
            try:
                access_requests.submit(form.cleaned_data["local_government"], form.cleaned_data["role"], form.person())
            except access_requests.AccessRequestError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                form.add_error("password1", error)
            else:
                return render(request, "accounts/request_access_sent.html", {"title": _("Request sent")})
        matches = None
    else:
        matches = search_local_governments(query) if query else None
        form = AccessRequestForm(matches=matches) if matches is not None else None
    context = {"form": form, "query": query, "matches": matches, "title": _("Ask for access")}
    return render(request, "accounts/request_access.html", context)


@login_required
def access_request_list(request: HttpRequest) -> HttpResponse:
    """The requests the user may decide (404 for someone who decides none): pending first, then the last decided."""
    if not (request.user.is_national_admin or request.user.has_role(*access_requests.DECIDING_ROLES)):
        raise Http404
    if request.method == "POST":
        request_id = id_from(request.POST.get("request"))
        if request_id is None:
            raise Http404
        try:
            if request.POST.get("decision") == "approve":
                access_requests.approve(request.user, request_id)
                messages.success(request, _("Approved: the account is ready and the person was told by e-mail."))
            elif request.POST.get("decision") == "refuse":
                access_requests.refuse(request.user, request_id, request.POST.get("reason", ""))
                messages.success(request, _("Refused: the person was told by e-mail."))
            else:
                raise Http404
        except access_requests.AccessRequestError as error:
            messages.error(request, str(error))
        return redirect("access-requests")
    rows = access_requests.decidable(request.user)
    pending = list(rows.filter(status="PENDING").order_by("created_at"))
    decided = list(rows.exclude(status="PENDING").order_by("-decided_at")[:50])
    return render(request, "accounts/access_requests.html", {"pending": pending, "decided": decided})


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("home"))


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor login (scan, then type the first code), or manage it: new recovery codes, turn off."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    codes: list[str] = []
    error = ""
    key = request.POST.get("key", "") if action == "enroll" else two_factor.new_key()
    if action == "enroll" and two_factor.has_device(user) and not user.is_verified():
        # Only a verified session may replace a device: a password alone must not be enough to swap it.
        raise Http404
    if action == "enroll":
        try:
            device, codes = two_factor.enroll(user, key, request.POST.get("token", ""))
        except two_factor.TwoFactorError as problem:
            error = str(problem)
        else:
            otp_login(request, device)
            request.session.pop(two_factor.PENDING, None)
    elif action == "recovery" and user.is_verified():
        codes = two_factor.new_recovery_codes(user)
    elif action == "disable" and user.is_verified():
        try:
            two_factor.disable(user)
        except two_factor.TwoFactorError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, _("Two-factor login is off."))
        return redirect("two-factor")
    elif request.method == "POST":
        raise Http404
    enrolled = two_factor.has_device(user)
    if not two_factor.is_valid_key(key):
        key = two_factor.new_key()  # a posted key that is no key: show a fresh QR code with the error
    context = {
        "title": _("Two-factor login"),
        "enrolled": enrolled,
        "required": two_factor.required(user),
        "codes": codes,
        "error": error,
        "key": key,
        "secret": two_factor.provisioning_uri(user, key).split("secret=")[1].split("&")[0] if not enrolled else "",
        "qr": qr_svg(two_factor.provisioning_uri(user, key)) if not enrolled else "",
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the app, or a recovery code."""
    error = ""
    if request.method == "POST":
        try:
            device = two_factor.verify(request.user, request.POST.get("token", ""))
        except two_factor.TwoFactorError as problem:
            error = str(problem)
        else:
            otp_login(request, device)
            request.session.pop(two_factor.PENDING, None)
            return redirect(_next_url(request))
    context = {"title": _("Enter your login code"), "error": error, "next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context)


def qr_svg(text: str) -> SafeString:
    return mark_safe(segno.make(text, error="m").svg_inline(scale=4, border=4))  # noqa: S308 (segno's own markup)
