from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.frameworks.workbook import MAX_FILE_BYTES
from localstandards.registry.models import LocalGovernmentType


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Framework workbook (.xlsx)"),
        help_text=_("At most 5 MB, no formulas, no macros, no password."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB and was not read."))
        return upload


class PreviewForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of local government"), choices=LocalGovernmentType.choices)
