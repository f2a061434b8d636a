"""Thin views: the logged-in results (scoped through for_user), the public permalink, its embed, PDF and plan."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from localstandards.assessments.models import Assessment
from localstandards.reports import services

# The embed may be framed by any site (the อปท.'s own website); every other page keeps frame-ancestors 'none'.
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


def _get_assessment(request: HttpRequest, pk: int) -> Assessment:
    queryset = Assessment.objects.for_user(request.user).select_related(
        "round", "framework", "local_government__province", "local_government__district"
    )
    return get_object_or_404(queryset, pk=pk)


def _public_assessment(slug: str) -> Assessment:
    assessment = services.public_assessment(slug)
    if assessment is None:
        raise Http404
    return assessment


def _file_name(assessment: Assessment, suffix: str) -> str:
    code = assessment.local_government.dla_code or f"lg{assessment.local_government_id}"
    return f"results-{code}-{assessment.round.fiscal_year}{suffix}"


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    data = services.build_results(assessment)
    link = services.public_link(assessment)
    context = {"results": data, "assessment": assessment, "public_link": link, "min_peers": services.MIN_PEERS}
    if link:
        public_url = request.build_absolute_uri(reverse("reports:public", args=[link.slug]))
        embed_url = request.build_absolute_uri(reverse("reports:embed", args=[link.slug]))
        context.update(
            public_url=public_url,
            public_pdf_url=request.build_absolute_uri(reverse("reports:public-pdf", args=[link.slug])),
            embed_snippet=(
                f'<iframe src="{embed_url}" title="{assessment.local_government.full_name_th}" '
                'width="100%" height="900" loading="lazy"></iframe>'
            ),
        )
    return render(request, "reports/results.html", context)


def _pdf_response(assessment: Assessment, *, inline: bool) -> HttpResponse:
    response = HttpResponse(services.cached_results_pdf(assessment), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_file_name(assessment, ".pdf")}"'
    return response


@login_required
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(_get_assessment(request, pk), inline=False)


@login_required
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    data = services.build_results(assessment, standing=False, previous=False)
    response = HttpResponse(
        services.improvement_plan_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(assessment, "-plan.xlsx")}"'
    return response


@login_not_required
def public(request: HttpRequest, slug: str) -> HttpResponse:
    assessment = _public_assessment(slug)
    data = services.build_results(assessment, standing=False, previous=False)
    return render(
        request, "reports/public.html", {"results": data, "assessment": assessment, "slug": slug, "public": True}
    )


@login_not_required
@xframe_options_exempt
@csp_override(EMBED_CSP)
def public_embed(request: HttpRequest, slug: str) -> HttpResponse:
    assessment = _public_assessment(slug)
    data = services.build_results(assessment, standing=False, previous=False)
    return render(
        request, "reports/embed.html", {"results": data, "assessment": assessment, "slug": slug, "public": True}
    )


@login_not_required
def public_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _pdf_response(_public_assessment(slug), inline=True)
