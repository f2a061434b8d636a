from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.core.forms import BuddhistDateField
from localstandards.notices.circulars import TEXT_FIELDS, CircularError, check_placeholders
from localstandards.notices.models import CircularTemplate, ReminderSchedule


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


class CircularTemplateForm(forms.ModelForm):
    """The text of one level's circular; every placeholder must be one the letter knows."""

    class Meta:
        model = CircularTemplate
        fields = list(TEXT_FIELDS)
        widgets = {
            "references": forms.Textarea(attrs={"rows": 2}),
            "enclosures": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 10}),
            "contact": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        for name in self.Meta.fields:
            try:
                check_placeholders(data.get(name) or "")
            except CircularError as error:
                self.add_error(name, str(error))
        return data
