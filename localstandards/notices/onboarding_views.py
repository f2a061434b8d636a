"""Onboarding pages: provision a province's accounts, download its activation letters, see who has an account.

Who may: a national admin everywhere; a provincial officer for their province; a district officer for their
district (letters and the account list, not provisioning). Anyone else, or a unit out of scope, gets a 404.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.accounts.models import Role
from localstandards.assessments.models import AssessmentRound
from localstandards.core.tables import XLSX_CONTENT_TYPE, workbook_file
from localstandards.notices import onboarding
from localstandards.registry.models import District, Province

PER_PAGE = 100
LEVELS = ("province", "district")


def _unit(request: HttpRequest, level: str, code: str) -> tuple[Province, District | None]:
    if level == "province":
        return onboarding.managed_province(request.user, code), None
    if level == "district":
        district = onboarding.managed_district(request.user, code)
        return district.province, district
    raise Http404


def start(request: HttpRequest, round_id: int) -> HttpResponse:
    """The units the user manages, each a link to its onboarding page."""
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    user = request.user
    provinces = [p for p in Province.objects.for_user(user) if _may_province(user, p)]
    districts = [
        d
        for d in District.objects.for_user(user).select_related("province")
        if user.has_role(Role.DISTRICT_OFFICER) and any(m.district_id == d.pk for m in user.cached_memberships)
    ]
    if not (provinces or districts):
        raise Http404
    if request.method == "POST":
        if not user.is_national_admin or request.POST.get("action") != "provision":
            raise Http404
        result = onboarding.provision_round(round_, user)
        messages.success(request, _provisioned_message(result))
        return redirect("notices:onboarding", round_id=round_.pk)
    return render(
        request, "notices/onboarding_start.html", {"round": round_, "provinces": provinces, "districts": districts}
    )


def _may_province(user, province: Province) -> bool:
    try:
        onboarding.managed_province(user, province.code)
    except Http404:
        return False
    return True


def unit(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    province, district = _unit(request, level, code)
    can_provision = level == "province"
    if request.method == "POST":
        if not can_provision or request.POST.get("action") != "provision":
            raise Http404
        result = onboarding.provision_round(round_, request.user, province)
        messages.success(request, _provisioned_message(result))
        return redirect("notices:onboarding-unit", round_id=round_.pk, level=level, code=code)
    rows = onboarding.seat_statuses(onboarding.local_governments_in(request.user, province, district))
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            workbook_file([onboarding.seat_table(rows)]),
            as_attachment=True,
            filename=f"accounts-{level}-{code}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    counts = {state: sum(1 for row in rows if row.state == state) for state in onboarding.STATE_LABELS}
    never = sum(1 for row in rows if row.never_logged_in)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "round": round_,
        "province": province,
        "district": district,
        "level": level,
        "code": code,
        "title": district.name_th if district else province.name_th,
        "rows": page.object_list,
        "page": page,
        "params": "",
        "counts": counts,
        "never": never,
        "labels": onboarding.STATE_LABELS,
        "can_provision": can_provision,
    }
    return render(request, "notices/onboarding.html", context)


@require_POST
def letters(request: HttpRequest, round_id: int, level: str, code: str) -> FileResponse:
    """The activation letters as PDF. A POST: printing issues fresh codes (the earlier letter's stop working)."""
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    province, district = _unit(request, level, code)
    only = None
    if request.POST.get("local_government"):
        # One อปท.'s letter printed again (a lost letter): only from the expected ones of this unit.
        wanted = request.POST["local_government"]
        expected = onboarding.expected_local_governments(round_, province, district, user=request.user)
        only = next((lg for lg in expected if str(lg.pk) == wanted), None)
        if only is None:
            raise Http404
    pdf = onboarding.activation_letters_pdf(round_, request.user, province, district, only)
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=f"activation-letters-{only.dla_code if only else f'{level}-{code}'}.pdf",
        content_type="application/pdf",
    )


def _provisioned_message(result) -> str:
    return _("%(created)s invitations created; %(active)s seats active; %(invited)s invited before.") % {
        "created": result.created,
        "active": result.already_active,
        "invited": result.already_invited,
    }
