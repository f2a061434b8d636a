from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The standard form, with the attributes phones and password managers need."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ActivationForm(forms.Form):
    """The activation page: the code from the letter, who the person is, and a password of their own."""

    code = forms.CharField(
        label=_("Activation code"),
        max_length=20,
        help_text=_("As printed on the activation letter, for example ABCD-EFGH-JKMN."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("You log in with this address."))
    phone = forms.CharField(label=_("Phone"), max_length=50)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "code": "one-time-code",
            "first_name": "given-name",
            "last_name": "family-name",
            "position": "organization-title",
            "email": "email",
            "phone": "tel",
            "password1": "new-password",
            "password2": "new-password",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["code"].widget.attrs["autocapitalize"] = "characters"

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data
