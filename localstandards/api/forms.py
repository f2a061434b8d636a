"""The form that issues a token: the choices offered are the caller's own scope (never wider)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from localstandards.api import services
from localstandards.api.models import TokenScope
from localstandards.core.collation import thai
from localstandards.core.forms import BuddhistDateField
from localstandards.registry.models import LocalGovernment, Province


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system or person uses it."))
    scope_level = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    local_government = forms.ModelChoiceField(
        label=_("Local government"), queryset=LocalGovernment.objects.none(), required=False
    )
    can_write = forms.BooleanField(
        label=_("May write answers and satisfaction counts"),
        required=False,
        help_text=_("Only for a local government's own token; submission stays on the pages."),
    )
    expires_on = BuddhistDateField(label=_("Expires on"), help_text=_("At most a year from today."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["province"].queryset = services.issuable_provinces(user).order_by(thai("name_th"))
        self.fields["local_government"].queryset = services.issuable_local_governments(user).order_by(thai("name_th"))
        choices = []
        if user.is_national_admin:
            choices.append((TokenScope.NATION, TokenScope.NATION.label))
        if self.fields["province"].queryset.exists():
            choices.append((TokenScope.PROVINCE, TokenScope.PROVINCE.label))
        if self.fields["local_government"].queryset.exists():
            choices.append((TokenScope.LOCAL_GOVERNMENT, TokenScope.LOCAL_GOVERNMENT.label))
        self.fields["scope_level"].choices = choices
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=90)
        for name in ("name", "scope_level", "province", "local_government"):
            widget = self.fields[name].widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"
        self.fields["can_write"].widget.attrs["class"] = "form-check-input"
