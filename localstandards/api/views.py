"""Pages where national admins, provincial officers and local governments' staff issue and revoke API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.api import services
from localstandards.api.forms import TokenForm


def _allowed(request: HttpRequest) -> None:
    if not services.may_manage_tokens(request.user):
        raise Http404


def token_list(request: HttpRequest) -> HttpResponse:
    """The caller's tokens (every token for a national admin); others are told who issues tokens."""
    if not services.may_manage_tokens(request.user):
        return render(request, "api/tokens.html", {"may_issue": False})
    page = Paginator(services.visible_tokens(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "api/tokens.html", {"page_obj": page, "tokens": page.object_list, "may_issue": True})


def token_create(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.issue_token(request.user, **form.cleaned_data)
        except services.TokenError as error:
            form.add_error(None, error.message)
        else:
            # The secret is shown on this response only; it is never stored, so it cannot be shown again.
            response = render(request, "api/token_created.html", {"token": issued.token, "key": issued.key})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_form.html", {"form": form})


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    token = get_object_or_404(services.visible_tokens(request.user), pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:tokens")
