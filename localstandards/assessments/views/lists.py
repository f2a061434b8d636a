"""Lists of returns and rounds: the returns a user may see, and the rounds national administrators open."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role
from localstandards.assessments import services, workflow
from localstandards.assessments.forms import RoundForm, default_round_initial
from localstandards.assessments.models import Assessment, AssessmentRound, ReviewLevel, Status
from localstandards.assessments.views.common import attempt


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
    if chosen_round and chosen_round.isdigit():
        returns = returns.filter(round_id=int(chosen_round))
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
    page = Paginator(returns.order_by("local_government__name_th"), 50).get_page(request.GET.get("page"))
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
    if not request.user.is_national_admin:
        raise Http404
    rounds = AssessmentRound.objects.select_related("framework").annotate(
        expected=Count("assessments"),
        submitted=Count("assessments", filter=~Q(assessments__status=Status.DRAFT)),
    )
    return render(request, "assessments/round_list.html", {"rounds": rounds})


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_national_admin:
        raise Http404
    form = RoundForm(request.POST or None, initial=default_round_initial())
    if request.method == "POST" and form.is_valid():
        outcome = attempt(services.open_round, **form.cleaned_data, user=request.user)
        if outcome.saved:
            count = outcome.value.assessments.count()
            messages.success(request, _("Round opened with %(count)s returns.") % {"count": count})
            return redirect("assessments:rounds")
        form.add_error(None, outcome.error)
    return render(request, "assessments/round_form.html", {"form": form})
