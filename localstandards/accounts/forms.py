from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from localstandards.accounts.throttling import address_is_throttled


class LoginForm(AuthenticationForm):
    """The standard form, with the attributes phones and password managers need."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        if self.request is not None and address_is_throttled(self.request):
            raise forms.ValidationError(
                _(
                    "Too many failed logins have come from your network in the last 15 minutes. Wait 15 minutes "
                    "and try again; if you have forgotten your password, use “Forgot your password?”."
                ),
                code="address_throttled",
            )
        return super().clean()
