from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from localstandards.accounts.models import Role
from localstandards.accounts.throttling import address_is_throttled
from localstandards.core.request_input import id_from
from localstandards.registry.models import LocalGovernment


class LoginForm(AuthenticationForm):
    """The standard form, with the attributes phones and password managers need."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean_username(self):
        # AuthenticationForm sets max_length after the field is built, so nothing checks it; a longer name would
        # reach django-axes, whose record of the failure cannot hold it (PostgreSQL refuses: a 500).
        username = self.cleaned_data["username"]
        if len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return username

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


class PersonForm(forms.Form):
    """Who the person is and a password of their own (activation and access requests)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("You log in with this address."))
    phone = forms.CharField(label=_("Phone"), max_length=50)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    AUTOCOMPLETE = {
        "code": "one-time-code",
        "first_name": "given-name",
        "last_name": "family-name",
        "position": "organization-title",
        "email": "email",
        "phone": "tel",
        "password1": "new-password",
        "password2": "new-password",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in self.AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = value

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data

    def person(self):
        from localstandards.accounts.invitations import Person

        data = self.cleaned_data
        return Person(
            data["first_name"], data["last_name"], data["position"], data["email"], data["phone"], data["password1"]
        )


class ActivationForm(PersonForm):
    """The activation page: the code from the letter, who the person is, and a password of their own."""

    code = forms.CharField(
        label=_("Activation code"),
        max_length=20,
        help_text=_("As printed on the activation letter, for example ABCD-EFGH-JKMN."),
    )
    field_order = ["code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autocapitalize"] = "characters"


class LocalGovernmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        district = obj.district.name_th if obj.district else ""
        return f"{obj.full_name_th} · {obj.dla_code or '—'} · {district} {obj.province.name_th}"


class AccessRequestForm(PersonForm):
    """Ask for a role in one local government: chosen among the matches of a search by name or DLA code."""

    local_government = LocalGovernmentChoice(
        label=_("Local government"), queryset=LocalGovernment.objects.none(), widget=forms.RadioSelect
    )
    role = forms.ChoiceField(
        label=_("Role asked for"), choices=[(Role.LG_STAFF, Role.LG_STAFF.label), (Role.LG_HEAD, Role.LG_HEAD.label)]
    )
    field_order = ["local_government", "role"]

    def __init__(self, *args, matches=None, **kwargs):
        super().__init__(*args, **kwargs)
        rows = LocalGovernment.objects.active().select_related("district", "province")
        if matches is not None:
            rows = matches
        else:
            # A posted form offers back only the posted choice (not all 7,850 อปท.).
            posted = id_from(self.data.get("local_government"))
            rows = rows.filter(pk=posted) if posted is not None else rows.none()
        self.fields["local_government"].queryset = rows


def search_local_governments(text: str, limit: int = 20):
    """Active local governments whose name contains `text` or whose DLA code starts with it (public facts)."""
    text = (text or "").strip()
    if len(text) < 2:
        return LocalGovernment.objects.none()
    rows = LocalGovernment.objects.active().select_related("district", "province")
    if text.isdigit():
        rows = rows.filter(dla_code__startswith=text)
    else:
        rows = rows.filter(Q(name_th__icontains=text) | Q(full_name_th__icontains=text))
    return rows.order_by("dla_code")[:limit]
