"""Lists of returns and rounds: the returns a user may see, and the rounds national administrators open."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.accounts.models import Role
from localstandards.assessments import services, workflow
from localstandards.assessments.forms import CancelRoundForm, RoundDatesForm, RoundForm, default_round_initial
from localstandards.assessments.models import Assessment, AssessmentRound, ReviewLevel, Status
from localstandards.assessments.views.common import attempt
from localstandards.core.collation import thai
from localstandards.core.permissions import require_national_admin
from localstandards.core.request_input import id_from


def _reviews_somewhere(user, level: str) -> bool:
    role = {"district": Role.DISTRICT_OFFICER, "province": Role.PROVINCE_OFFICER}[level]
    return user.is_national_admin or user.has_role(role)


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    returns = Assessment.objects.for_user(request.user).select_related(
        "round", "local_government__province", "local_government__district"
    )
    rounds = AssessmentRound.objects.filter(pk__in=returns.values("round_id")).order_by("-fiscal_year", "-opens_on")
    chosen_round = request.GET.get("round")
    round_id = id_from(chosen_round)
    if round_id is not None:
        returns = returns.filter(round_id=round_id)
    status = request.GET.get("status", "")
    if status == "mine":
        levels = [a for a in ("district", "province") if _reviews_somewhere(request.user, a)]
        wanted = [workflow.STATUS_OF_LEVEL[ReviewLevel(level)] for level in levels]
        returns = returns.filter(status__in=wanted)
    elif status in Status.values:
        returns = returns.filter(status=status)
    query = (request.GET.get("q") or "").strip()
    if query:
        returns = returns.filter(Q(local_government__name_th__icontains=query) | Q(local_government__dla_code=query))
    counts = dict(returns.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(returns.order_by(thai("local_government__name_th")), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rounds": rounds,
        "statuses": Status.choices,
        "counts": counts,
        "chosen_status": status,
        "chosen_round": chosen_round,
        "query": query,
        "params": params.urlencode(),
        "is_reviewer": _reviews_somewhere(request.user, "district") or _reviews_somewhere(request.user, "province"),
    }
    return render(request, "assessments/assessment_list.html", context)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    require_national_admin(request.user)
    rounds = AssessmentRound.objects.select_related("framework").annotate(
        expected=Count("assessments"),
        submitted=Count("assessments", filter=~Q(assessments__status=Status.DRAFT)),
    )
    return render(request, "assessments/round_list.html", {"rounds": rounds})


def _round_fingerprint(data: dict) -> str:
    """What the summary was shown for: opening needs the same values the administrator confirmed."""
    shown = {key: data[key] for key in sorted(data) if key != "dates_confirmed"}
    shown["framework"] = data["framework"].pk if data.get("framework") else None
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    """Open a round in two steps: the filled form shows a summary (how many returns, the window in words), and
    only a second press, with the same values, opens it."""
    require_national_admin(request.user)
    form = RoundForm(request.POST or None, initial=default_round_initial())
    summary = fingerprint = None
    if request.method == "POST" and form.is_valid():
        fingerprint = _round_fingerprint(form.cleaned_data)
        if request.POST.get("confirm") == fingerprint:
            data = {k: v for k, v in form.cleaned_data.items() if k != "dates_confirmed"}
            outcome = attempt(services.open_round, **data, user=request.user)
            if outcome.saved:
                count = outcome.value.assessments.count()
                messages.success(request, _("Round opened with %(count)s returns.") % {"count": count})
                return redirect("assessments:rounds")
            form.add_error(None, outcome.error)
        else:
            summary = services.round_summary(**form.cleaned_data)
    return render(
        request, "assessments/round_form.html", {"form": form, "summary": summary, "fingerprint": fingerprint}
    )


def _national_admin_round(request: HttpRequest, pk: int) -> AssessmentRound:
    require_national_admin(request.user)
    return get_object_or_404(AssessmentRound.objects.select_related("framework"), pk=pk)


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a round's dates (national administrators), with the reason kept in the round's history."""
    assessment_round = _national_admin_round(request, pk)
    initial = {name: getattr(assessment_round, name) for name in ("opens_on", "closes_on", "review_deadline")}
    form = RoundDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = attempt(services.change_round_dates, assessment_round, **form.cleaned_data, user=request.user)
        if outcome.saved:
            messages.success(request, _("The round's dates were changed."))
            return redirect("assessments:rounds")
        form.add_error(None, outcome.error)
    changes = assessment_round.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "assessments/round_edit.html",
        {
            "round": assessment_round,
            "form": form,
            "cancel_form": CancelRoundForm(),
            "holding": services.round_holds_data(assessment_round),
            "changes": changes,
        },
    )


@login_required
@require_POST
def round_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a round opened by mistake (national administrators), while no local government has entered data."""
    assessment_round = _national_admin_round(request, pk)
    form = CancelRoundForm(request.POST)
    if form.is_valid():
        outcome = attempt(
            services.cancel_round, assessment_round, reason=form.cleaned_data["reason"], user=request.user
        )
        if outcome.saved:
            messages.success(
                request,
                _("The round “%(name)s” was cancelled and its %(count)s empty returns removed.")
                % {"name": assessment_round.name, "count": outcome.value},
            )
            return redirect("assessments:rounds")
        messages.error(request, outcome.error)
    else:
        messages.error(request, _("Give a reason for cancelling the round."))
    return redirect("assessments:round-edit", pk=assessment_round.pk)
