"""Form fields shared by every app: dates entered in the Buddhist era.

Browsers' date pickers speak the Christian era; an officer who types 2568 into one opens a round in the year
3111. So dates are entered as day, month (by name) and B.E. year, and a year that looks Christian is refused
with a message that says so.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from localstandards.core.thaidate import BE_OFFSET, ENGLISH_MONTHS, THAI_MONTHS

# Thai digits typed on a Thai keyboard count as digits.
_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

EARLIEST_BE_YEAR = 2500  # 1957: nothing in this system is older
LATEST_BE_YEAR = 2700


def _month_choices() -> list[tuple[str, str]]:
    thai = (translation.get_language() or "th").startswith("th")
    names = THAI_MONTHS if thai else ENGLISH_MONTHS
    return [("", _("Month")), *((str(number), name) for number, name in enumerate(names, start=1))]


class BuddhistDateWidget(forms.MultiWidget):
    """Day, month by name, B.E. year: three inputs in one row, each with its own (visually hidden) label."""

    template_name = "core/widgets/be_date.html"

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "autocomplete": "off", "class": "form-control"}
        widgets = {
            "day": forms.TextInput(attrs={**number, "size": 2, "maxlength": 2, "class": "form-control be-day"}),
            "month": forms.Select(attrs={"class": "form-select be-month"}),
            "year": forms.TextInput(attrs={**number, "size": 4, "maxlength": 4, "class": "form-control be-year"}),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        self.widgets[1].choices = _month_choices()  # in the language of this request
        context = super().get_context(name, value, attrs)
        labels = (_("Day"), _("Month"), _("Year (B.E.)"))
        for subwidget, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            subwidget["label"] = label
        return context

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year + BE_OFFSET)]
        return [None, None, None]


class BuddhistDateField(forms.MultiValueField):
    """A date entered as day / month / B.E. year; cleans to a `datetime.date`."""

    widget = BuddhistDateWidget
    default_error_messages = {
        "incomplete": gettext_lazy("Enter the day, the month and the year (B.E.)."),
        "invalid": gettext_lazy("Enter a date as day, month and year (B.E.), for example 4 มิถุนายน 2568."),
    }

    def __init__(self, **kwargs):
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day_text, month_text, year_text = (str(part or "").strip().translate(_DIGITS) for part in data_list)
        if not (day_text and month_text and year_text):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        # ASCII digits only ('²' passes isdigit() but not int()), and no more than a year's four (no 10**400).
        parts = (day_text, month_text, year_text)
        if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        day, month, year = int(day_text), int(month_text), int(year_text)
        if 1900 <= year < EARLIEST_BE_YEAR:
            raise forms.ValidationError(
                _("%(year)s looks like a Christian-era year. Enter the Buddhist-era year, for example %(be)s.")
                % {"year": year, "be": year + BE_OFFSET},
                code="christian_year",
            )
        if not EARLIEST_BE_YEAR <= year <= LATEST_BE_YEAR:
            raise forms.ValidationError(
                _("Enter a Buddhist-era year between %(first)s and %(last)s.")
                % {"first": EARLIEST_BE_YEAR, "last": LATEST_BE_YEAR},
                code="year_range",
            )
        try:
            return dt.date(year - BE_OFFSET, month, day)
        except ValueError:
            raise forms.ValidationError(
                _("There is no such day: %(day)s/%(month)s/%(year)s.") % {"day": day, "month": month, "year": year},
                code="no_such_day",
            ) from None
