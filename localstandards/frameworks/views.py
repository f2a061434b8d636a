"""Framework pages. Thin: the rules live in services.py. Drafts, import, export and version changes are for
national administrators only; anyone else gets a 404 (deny by default)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from localstandards.core.permissions import national_admin_required
from localstandards.frameworks import services
from localstandards.frameworks.forms import ImportForm, PreviewForm
from localstandards.frameworks.models import Framework, Kind, Status
from localstandards.frameworks.workbook import WorkbookError
from localstandards.registry.models import LocalGovernmentType


def visible_frameworks(user):
    """Published and retired versions for everyone logged in; drafts only for national administrators."""
    frameworks = Framework.objects.all()
    return frameworks if user.is_national_admin else frameworks.exclude(status=Status.DRAFT)


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = visible_frameworks(request.user).order_by("-fiscal_year", "code", "-version")
    return render(request, "frameworks/framework_list.html", {"frameworks": frameworks})


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(visible_frameworks(request.user), pk=pk)
    tree = services.load_tree(framework)
    versions = visible_frameworks(request.user).filter(code=framework.code).order_by("-version")
    context = {"framework": tree, "versions": versions, "type_choices": LocalGovernmentType.choices}
    if request.user.is_national_admin:
        context["problem_count"] = services.problem_count(framework)
    return render(request, "frameworks/framework_detail.html", context)


@login_required
def framework_preview(request: HttpRequest, pk: int, printable: bool = False) -> HttpResponse:
    framework = get_object_or_404(visible_frameworks(request.user), pk=pk)
    form = PreviewForm(request.GET or {"type": LocalGovernmentType.SAO})
    lg_type = form.cleaned_data["type"] if form.is_valid() else LocalGovernmentType.SAO
    areas = services.preview(framework, lg_type)
    context = {
        "framework": framework,
        "form": form,
        "lg_type": lg_type,
        "lg_type_label": LocalGovernmentType(lg_type).label,
        "areas": areas,
        "indicator_count": sum(area.indicator_count for area in areas),
        "Kind": Kind,
        "printable": printable,
    }
    template = "frameworks/framework_print.html" if printable else "frameworks/framework_preview.html"
    return render(request, template, context)


@national_admin_required
def framework_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    response = HttpResponse(
        services.export_workbook(framework),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{services.export_filename(framework)}"'
    return response


@national_admin_required
@require_safe
def framework_problems(request: HttpRequest, pk: int) -> HttpResponse:
    """Expressions of this version that failed at run time, as the write paths recorded them (read only)."""
    framework = get_object_or_404(Framework, pk=pk)
    context = {"framework": framework, "problems": services.problem_summaries(framework)}
    return render(request, "frameworks/framework_problems.html", context)


@national_admin_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    problems = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The same service call as the command: a file identical to a version already there creates nothing.
            result = services.import_workbook(
                form.cleaned_data["workbook"].read(), user=request.user, reuse_identical=True
            )
        except WorkbookError as error:
            problems = error.problems
        else:
            if result.created:
                messages.success(
                    request,
                    _("Imported as a draft, version %(version)s. Check it, then publish it.")
                    % {"version": result.framework.version},
                )
            else:
                messages.info(
                    request,
                    _("No change: this workbook is identical to version %(version)s (%(status)s); nothing imported.")
                    % {"version": result.framework.version, "status": result.framework.get_status_display()},
                )
            return redirect("frameworks:detail", pk=result.framework.pk)
    status = 400 if problems else 200
    return render(request, "frameworks/framework_import.html", {"form": form, "problems": problems}, status=status)


ACTIONS = {
    "publish": {
        "allowed_from": Status.DRAFT,
        "title": _("Publish this version"),
        "explain": _(
            "Publishing freezes this version: nobody can change its areas, missions, indicators, questions or "
            "scoring parameters any more. To change it later you create a new version."
        ),
        "button": _("Yes, publish"),
    },
    "new-version": {
        "allowed_from": None,
        "title": _("Create a new version"),
        "explain": _(
            "A new draft version will be created as a full copy of this one. This version stays as it is; "
            "you edit the new draft and publish it when it is ready."
        ),
        "button": _("Yes, create a new draft version"),
    },
    "retire": {
        "allowed_from": Status.PUBLISHED,
        "title": _("Retire this version"),
        "explain": _(
            "A retired version can no longer be chosen for a new assessment round. Returns already answered "
            "against it keep it. It cannot be published again."
        ),
        "button": _("Yes, retire"),
    },
}


@national_admin_required
@require_http_methods(["GET", "POST"])
def framework_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    framework = get_object_or_404(Framework, pk=pk)
    spec = ACTIONS[action]
    if spec["allowed_from"] and framework.status != spec["allowed_from"]:
        raise Http404
    if request.method == "POST":
        try:
            if action == "publish":
                services.publish_framework(framework)
                messages.success(request, _("Version %(version)s is published.") % {"version": framework.version})
                target = framework
            elif action == "retire":
                services.retire_framework(framework)
                messages.success(request, _("Version %(version)s is retired.") % {"version": framework.version})
                target = framework
            else:
                target = services.new_version(framework, user=request.user)
                messages.success(
                    request, _("Draft version %(version)s was created as a copy.") % {"version": target.version}
                )
        except services.FrameworkStateError as error:
            messages.error(request, str(error))
            target = framework
        return redirect("frameworks:detail", pk=target.pk)
    return render(request, "frameworks/framework_confirm.html", {"framework": framework, "action": action, **spec})
