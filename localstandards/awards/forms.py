from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.registry.models import LocalGovernmentType


class FreezeForm(forms.Form):
    """The confirmation step of freezing: nothing is frozen until this box is ticked and sent."""

    confirm = forms.BooleanField(
        label=_("I have checked the list: freeze it. Later changes will show as differences, not change the list."),
        required=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class AwardFilterForm(forms.Form):
    """The page's filters; an unknown value is ignored (the whole table), never an error page."""

    type = forms.ChoiceField(label=_("Type"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    province = forms.ChoiceField(
        label=_("Province"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, provinces: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *LocalGovernmentType.choices]
        self.fields["province"].choices = [("", _("All provinces")), *provinces]

    def chosen(self) -> dict[str, str]:
        if not self.is_valid():
            return {"type": "", "province": ""}
        return {"type": self.cleaned_data["type"], "province": self.cleaned_data["province"]}
