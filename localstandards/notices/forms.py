from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.core.forms import BuddhistDateField
from localstandards.notices.models import ReminderSchedule


class ReminderScheduleForm(forms.ModelForm):
    class Meta:
        model = ReminderSchedule
        fields = ["enabled", "days_before", "send_on_last_day", "weekly_digest", "digest_weekday"]
        widgets = {
            "enabled": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "send_on_last_day": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "weekly_digest": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "days_before": forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 90}),
            "digest_weekday": forms.Select(attrs={"class": "form-select"}),
        }


class PreviewDateForm(forms.Form):
    date = BuddhistDateField(label=_("Preview the reminders of"))
