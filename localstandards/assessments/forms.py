import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.assessments.models import default_province_level_types
from localstandards.core.forms import BuddhistDateField
from localstandards.core.thaidate import format_date
from localstandards.frameworks.models import Framework, Kind
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.registry.models import LocalGovernmentType


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    fiscal_year = forms.IntegerField(label=_("Fiscal year (B.E.)"), min_value=2560, max_value=2700)
    framework = forms.ModelChoiceField(label=_("Framework version"), queryset=Framework.objects.none())
    opens_on = BuddhistDateField(label=_("Entry opens on"))
    closes_on = BuddhistDateField(label=_("Last day of entry"))
    review_deadline = BuddhistDateField(label=_("Review deadline"))
    district_review = forms.BooleanField(label=_("District review"), required=False, initial=True)
    province_review = forms.BooleanField(label=_("Provincial review"), required=False, initial=True)
    province_may_extend = forms.BooleanField(label=_("Provincial officers may grant extensions"), required=False)
    province_level_types = forms.MultipleChoiceField(
        label=_("Reviewed by the province only"),
        choices=LocalGovernmentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Their returns skip the district: an อบจ. covers the whole province."),
    )
    excluded_codes = forms.CharField(
        label=_("Local governments not expected (DLA codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One 7-digit code per line or separated by commas; all other active ones are expected."),
    )
    dates_confirmed = forms.BooleanField(label=_("These dates are right"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.filter(status=FrameworkStatus.PUBLISHED)
        self.fields["framework"].empty_label = _("Choose a published framework version")
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field, BuddhistDateField | forms.MultipleChoiceField):
                continue  # its parts carry their own classes
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"

    def clean_excluded_codes(self) -> list[str]:
        text = self.cleaned_data["excluded_codes"].replace(",", " ")
        codes = text.split()
        bad = [code for code in codes if not (code.isdigit() and len(code) == 7)]
        if bad:
            raise forms.ValidationError(_("Not 7-digit DLA codes: %(codes)s") % {"codes": ", ".join(bad[:10])})
        return codes

    def clean(self):
        data = super().clean()
        opens, closes, review = data.get("opens_on"), data.get("closes_on"), data.get("review_deadline")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The last day of entry must be on or after the opening day."))
        if closes and review and review < closes:
            self.add_error("review_deadline", _("The review deadline must be on or after the last day of entry."))
        fiscal_year = data.get("fiscal_year")
        if opens and closes and review and fiscal_year and not self.errors:
            # The services import this module (AnswerForm), so the window rules are imported when needed.
            from localstandards.assessments.services import AssessmentError
            from localstandards.assessments.services.rounds import (
                check_opening_near_today,
                check_window,
                fiscal_year_bounds,
                window_near_fiscal_year,
            )

            try:
                check_window(opens, closes, review)
                check_opening_near_today(opens)
            except AssessmentError as error:
                self.add_error("opens_on", error.message)
            else:
                if not window_near_fiscal_year(fiscal_year, opens, review) and not data.get("dates_confirmed"):
                    start, end = fiscal_year_bounds(fiscal_year)
                    self.add_error(
                        "dates_confirmed",
                        _(
                            "The window is far from fiscal year %(year)s (%(start)s – %(end)s). Check the dates and "
                            "the fiscal year; if they are right, tick this box."
                        )
                        % {"year": fiscal_year, "start": format_date(start), "end": format_date(end)},
                    )
        return data


class RoundDatesForm(forms.Form):
    """A national administrator moves a round's dates, with the reason."""

    opens_on = BuddhistDateField(label=_("Entry opens on"))
    closes_on = BuddhistDateField(label=_("Last day of entry"))
    review_deadline = BuddhistDateField(label=_("Review deadline"))
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class CancelRoundForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the round cancelled?"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ExtensionForm(forms.Form):
    until = BuddhistDateField(label=_("New last day"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class CertifyForm(forms.Form):
    certifier_name = forms.CharField(label=_("Name of the certifier"), max_length=200)
    certifier_position = forms.CharField(label=_("Position"), max_length=200)
    confirmed = forms.BooleanField(
        label=_("I certify that the data and evidence in this return are correct and complete."), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certifier_name"].widget.attrs["class"] = "form-control"
        self.fields["certifier_position"].widget.attrs["class"] = "form-control"
        self.fields["confirmed"].widget.attrs["class"] = "form-check-input"


def default_round_initial() -> dict:
    today = dt.date.today()
    return {
        "fiscal_year": today.year + 543,
        "district_review": True,
        "province_review": True,
        "province_level_types": default_province_level_types(),
    }


class _PostedValues(forms.Form):
    """What an officer posts for one indicator or question (prefix "i12" / "q3"), as typed.

    The numbers stay raw text here: the service parses them (Thai digits, thousands commas) and gives the
    messages, so the page, HTMX, the plain form post and the API share one reading of what was typed.
    """

    FIELDS: tuple[str, ...] = ()
    # Bounded as in the API (api.schemas): the save writes version + 1 into an integer column, so 2**63 was a 500.
    version = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)

    def raw(self) -> dict[str, str]:
        return {name: str(self.data.get(self.add_prefix(name), "")) for name in self.FIELDS}

    def is_posted(self) -> bool:
        return self.add_prefix("version") in self.data

    def expected_version(self) -> int:
        """The version the person edited; -1 (never current) when it is not a number, so the save is refused."""
        return self.cleaned_data.get("version") or 0 if self.is_valid() else -1


class AnswerForm(_PostedValues):
    INPUTS = ("base", "delivered", "count", "answer")
    FIELDS = (*INPUTS, "note")
    INPUTS_BY_KIND = {Kind.RATIO: ("base", "delivered"), Kind.COUNT: ("count",), Kind.YESNO: ("answer",)}

    @classmethod
    def inputs_for(cls, kind: str) -> tuple[str, ...]:
        """The input fields (the note aside) of an indicator of this kind."""
        return cls.INPUTS_BY_KIND[Kind(kind)]


class SatisfactionForm(_PostedValues):
    FIELDS = ("satisfied", "needs_improvement")
