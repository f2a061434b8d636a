"""Home and About: the pages that bring the layers below together (DESIGN §3: the top layer)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from localstandards.pages import services
from localstandards.registry import services as registry_services


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    context = {"today": timezone.localdate()}
    if request.user.is_authenticated:
        context["memberships"] = request.user.cached_memberships
        context["scope_summary"] = registry_services.scope_summary(request.user)
        context.update(services.returns_summary(request.user))
        context.update(services.progress_summary(request.user))
    return render(request, "pages/home.html", context)


@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/about.html", {"registry": registry_services.registry_facts()})
