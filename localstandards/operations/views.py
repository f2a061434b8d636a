"""National administrators' page for a person's data (PDPA): find a person, export, anonymise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.accounts.models import User
from localstandards.core.permissions import require_national_admin
from localstandards.operations import people
from localstandards.operations.models import PersonDataAction


def _national_admin(request: HttpRequest) -> None:
    require_national_admin(request.user)


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    _national_admin(request)
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query:
        found = list(
            User.objects.filter(
                Q(username__icontains=query)
                | Q(email__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(phone__icontains=query)
            ).order_by("username")[:50]
        )
    return render(request, "operations/person_search.html", {"query": query, "found": found})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _national_admin(request)
    person = get_object_or_404(User, pk=pk)
    return render(
        request,
        "operations/person_detail.html",
        {
            "person": person,
            "data": people.export(person),
            "actions": PersonDataAction.objects.filter(person=person).select_related("done_by"),
        },
    )


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()


@login_required
@require_POST
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    _national_admin(request)
    person = get_object_or_404(User, pk=pk)
    reason = _reason(request)
    if not reason:
        messages.error(request, _("Give the reason for the export (for example the person's request and its date)."))
        return redirect("operations:person", pk=person.pk)
    response = HttpResponse(people.export_json(person, request.user, reason), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@login_required
@require_POST
def person_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    _national_admin(request)
    person = get_object_or_404(User, pk=pk)
    reason = _reason(request)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot anonymise your own account."))
    elif not reason or request.POST.get("confirm") != "1":
        messages.error(request, _("Give the reason and tick the confirmation: anonymising cannot be undone."))
    else:
        people.anonymise(person, request.user, reason)
        messages.success(
            request, _("The person's data was removed; the account is now %(name)s.") % {"name": person.username}
        )
    return redirect("operations:person", pk=person.pk)
