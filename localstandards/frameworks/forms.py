from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from localstandards.frameworks.workbook import MAX_FILE_BYTES, MAX_INDICATORS, MAX_ROWS_PER_SHEET, too_large_message
from localstandards.registry.models import LocalGovernmentType


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Framework workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workbook"].help_text = gettext(
            "At most 5 MiB (%(bytes)s bytes), %(rows)s rows per sheet and %(indicators)s indicators; "
            "no formulas, no macros, no password."
        ) % {"bytes": f"{MAX_FILE_BYTES:,}", "rows": f"{MAX_ROWS_PER_SHEET:,}", "indicators": MAX_INDICATORS}

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(too_large_message())
        return upload


class PreviewForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of local government"), choices=LocalGovernmentType.choices)
