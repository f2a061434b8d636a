"""The reminder settings and preview of one round, for national administrators only (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.core.permissions import require_national_admin
from localstandards.notices import services
from localstandards.notices.forms import PreviewDateForm, ReminderScheduleForm
from localstandards.notices.models import DigestSent, ReminderSent

PER_PAGE = 50  # planned reminders per page, planned digests shown
SENT_SHOWN = 50  # the latest reminders and digests sent


@login_required
def round_reminders(request: HttpRequest, round_id: int) -> HttpResponse:
    require_national_admin(request.user)
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
    pending = services.pending_returns(round_)
    reminders = services.plan_reminders(round_, day, pending, recipients=False)
    digests = services.plan_digests(round_, day, pending)
    # On a deadline day a nation has thousands of reminders: totals, then one page of them with their people.
    page = Paginator(reminders, PER_PAGE).get_page(request.GET.get("page"))
    services.add_recipients(page.object_list)
    people = services.recipient_counts(reminders)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "round": round_,
        "form": form,
        "date_form": date_form,
        "day": day,
        "reminders": page.object_list,
        "page": page,
        "params": params.urlencode(),
        "reminder_count": len(reminders),
        "message_count": sum(people.get(p.assessment.local_government_id, 0) for p in reminders) + len(digests),
        "digests": digests[:PER_PAGE],
        "digest_count": len(digests),
        "sent": ReminderSent.objects.for_user(request.user)
        .filter(assessment__round=round_)
        .select_related("assessment__local_government")[:SENT_SHOWN],
        "digests_sent": DigestSent.objects.filter(round=round_)
        .select_related("recipient")
        .only(
            "sent_on",
            "laggards",
            "recipient__username",
            "recipient__first_name",
            "recipient__last_name",
            "recipient__email",
        )[:SENT_SHOWN],
    }
    return render(request, "notices/round_reminders.html", context)
