"""The circular letter: a preview and the PDF for the office that sends it, and the editable text of each level."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.core.thaidate import use_thai_digits
from localstandards.notices import circulars
from localstandards.notices.forms import CircularTemplateForm
from localstandards.notices.models import CircularLevel
from localstandards.registry.models import District, Province

NATION = "-"  # the office code in the address of the national office's circular


def _digits(request: HttpRequest) -> bool:
    chosen = request.GET.get("digits")
    return use_thai_digits() if chosen not in ("thai", "arabic") else chosen == "thai"


def circular(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    if level not in CircularLevel.values:
        raise Http404
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    sender = circulars.sender_for(level, None if code == NATION else code, request.user)
    template = circulars.template_for(level)
    digits = _digits(request)
    if request.GET.get("format") == "pdf":
        pdf = circulars.circular_pdf(round_, sender, template, digits)
        return FileResponse(
            io.BytesIO(pdf), as_attachment=True, filename=f"circular-{level}-{code}.pdf", content_type="application/pdf"
        )
    context = {
        "round": round_,
        "level": level,
        "level_label": CircularLevel(level).label,
        "code": code,
        "digits": digits,
        "letter": circulars.letter(round_, sender, template, digits),
    }
    return render(request, "notices/circular.html", context)


def circular_template(request: HttpRequest, round_id: int, level: str) -> HttpResponse:
    """National admins edit a level's text; "Preview" shows the letter without saving."""
    if not request.user.is_national_admin or level not in CircularLevel.values:
        raise Http404
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    instance = circulars.template_for(level)
    form = CircularTemplateForm(request.POST or None, instance=instance)
    letter = None
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        if request.POST.get("action") == "save":
            edited.level = level
            edited.updated_by = request.user
            edited.save()
            messages.success(request, _("The text of this circular was saved."))
            return redirect("notices:circular-template", round_id=round_.pk, level=level)
        letter = circulars.letter(round_, _sample_sender(level), edited, use_thai_digits())
    elif request.method == "GET":
        letter = circulars.letter(round_, _sample_sender(level), instance, use_thai_digits())
    context = {
        "round": round_,
        "level": level,
        "level_label": CircularLevel(level).label,
        "form": form,
        "letter": letter,
        "placeholders": circulars.PLACEHOLDERS,
    }
    return render(request, "notices/circular_template.html", context)


def _sample_sender(level: str) -> circulars.Sender:
    """The first office of the level, to preview the text with real names."""
    if level == CircularLevel.DISTRICT:
        province = Province.objects.order_by("code").first()
        if province:
            return circulars.sender_for(level, province.code)
    if level == CircularLevel.LAO:
        district = District.objects.order_by("code").first()
        if district:
            return circulars.sender_for(level, district.code)
    return circulars.sender_for(CircularLevel.PROVINCE, None)
