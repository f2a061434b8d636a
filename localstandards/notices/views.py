"""The reminder settings and preview of one round, for national administrators only (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.notices import services
from localstandards.notices.forms import PreviewDateForm, ReminderScheduleForm
from localstandards.notices.models import DigestSent, ReminderSent


@login_required
def round_reminders(request: HttpRequest, round_id: int) -> HttpResponse:
    if not request.user.is_national_admin:
        raise Http404
    round_ = get_object_or_404(AssessmentRound, pk=round_id)
    schedule = services.schedule_of(round_)
    form = ReminderScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.round = round_
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("The reminder settings were saved."))
        return redirect("notices:round", round_id=round_.pk)
    day = services.today_in_bangkok()
    date_form = PreviewDateForm(request.GET or None, initial={"date": day})
    if request.GET and date_form.is_valid():
        day = date_form.cleaned_data["date"]
    round_ = AssessmentRound.objects.get(pk=round_.pk)  # fresh: the schedule shown is the saved one
    context = {
        "round": round_,
        "form": form,
        "date_form": date_form,
        "day": day,
        "reminders": services.plan_reminders(round_, day),
        "digests": services.plan_digests(round_, day),
        "sent": ReminderSent.objects.filter(assessment__round=round_).select_related("assessment__local_government")[
            :200
        ],
        "digests_sent": DigestSent.objects.filter(round=round_).select_related("recipient")[:200],
    }
    return render(request, "notices/round_reminders.html", context)
