from django import forms
from django.utils.translation import gettext_lazy as _

from localstandards.core.collation import thai
from localstandards.registry.models import District, LocalGovernmentType, Province


class LocalGovernmentFilterForm(forms.Form):
    """Search and filters for the registry list; choices are limited to what the user can see."""

    q = forms.CharField(
        label=_("Name or DLA code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. ท่าข้าม or 6670207")}),
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, to_field_name="code"
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, to_field_name="code"
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *LocalGovernmentType.choices], required=False
    )
    inactive = forms.BooleanField(label=_("Include inactive"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Province.objects.for_user(user).order_by(thai("name_th"))
        self.fields["province"].queryset = provinces
        self.fields["province"].empty_label = _("All provinces")
        districts = District.objects.for_user(user).select_related("province").order_by(thai("name_th"))
        chosen_province = self.data.get("province")
        if chosen_province:
            districts = districts.filter(province__code=chosen_province)
        self.fields["district"].queryset = districts
        self.fields["district"].empty_label = _("All districts")
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field, forms.BooleanField)
                else ("form-select" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs["class"] = css

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())
