from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.core.collation import thai
from localstandards.registry.models import LocalGovernmentType, Province
from localstandards.subsidy.services import MAX_FILE_BYTES, MAX_ROWS, MAX_YEAR, MIN_YEAR, unit_of

ALLOWED_SUFFIXES = (".csv", ".xlsx")


class FiscalUploadForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (B.E.)"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    data_file = forms.FileField(
        label=_("Fiscal data file (.csv or .xlsx)"),
        help_text=_("At most 5 MB and %(rows)s rows; CSV in UTF-8, or the first sheet of an .xlsx workbook.")
        % {"rows": f"{MAX_ROWS:,}"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )

    def clean_data_file(self):
        upload = self.cleaned_data["data_file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB and was not read."))
        return upload


class UnitCostForm(forms.Form):
    """One field per indicator code: baht per unit of its shortfall; empty = no unit cost."""

    def __init__(self, *args, indicators, current: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[self.field_name(indicator.code)] = forms.DecimalField(
                label=f"{indicator.code} {indicator.wording_generic}",
                required=False,
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=2,
                initial=current.get(indicator.code),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
            )

    @staticmethod
    def field_name(code: str) -> str:
        return f"cost_{code}"

    def rows(self):
        """(indicator, unit of its shortfall, bound field) for the template's table."""
        return [(indicator, unit_of(indicator), self[self.field_name(indicator.code)]) for indicator in self.indicators]

    def costs(self) -> dict[str, Decimal | None]:
        return {indicator.code: self.cleaned_data[self.field_name(indicator.code)] for indicator in self.indicators}


class AnalysisFilterForm(forms.Form):
    """The page's filters; the provinces offered are those the user can see."""

    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("All types")), *LocalGovernmentType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.for_user(user).order_by(thai("name_th"))
        self.fields["province"].empty_label = _("All provinces")
