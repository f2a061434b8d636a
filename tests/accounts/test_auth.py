"""Login, logout, password change and reset, throttling, admin access and demo accounts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from localstandards.accounts.models import Role
from tests.conftest import PASSWORD
from tests.registry.test_import import ROW_A, ROW_B, make_csv


@pytest.mark.django_db
def test_login_and_logout(users, client):
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "หนองป่าครั่ง" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("registry:list")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_gets_a_thai_message_and_repeated_failures_lock_the_account(users, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    response = client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้" in response.content.decode()
    client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    assert locked.status_code == 429
    # Even the right password is refused while locked.
    again = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert again.status_code == 429


@pytest.mark.django_db
def test_password_change(users, client_for):
    client = client_for(users.staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    users.staff.refresh_from_db()
    assert users.staff.check_password("a new long passphrase")


@pytest.mark.django_db
def test_password_reset_by_email(users, client):
    client.post(reverse("password_reset"), {"email": users.staff.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "reset long passphrase", "new_password2": "reset long passphrase"},
    )
    users.staff.refresh_from_db()
    assert users.staff.check_password("reset long passphrase")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("national_admin", 200), ("committee_viewer", 302), ("province_officer", 302), ("staff", 302)],
)
def test_the_django_admin_is_for_national_admins_only(users, client_for, role, status):
    user = users.by_name(role)
    user.is_staff = True  # being staff is not enough
    user.save()
    response = client_for(user).get(reverse("admin:registry_localgovernment_changelist"))
    assert response.status_code == status


@pytest.mark.django_db
def test_demo_accounts_are_idempotent_and_cover_every_role(capsys):
    from localstandards.registry.services import import_registry

    import_registry(make_csv([ROW_A, ROW_B]))
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out

    user_model = get_user_model()
    assert user_model.objects.filter(username__startswith="demo_").count() == 6
    roles = set(user_model.objects.filter(username__startswith="demo_").values_list("memberships__role", flat=True))
    assert roles == set(Role.values)
    # The printed password of the last run logs in.
    password = re.search(r"demo_staff\s+(\S+)", second).group(1)
    assert user_model.objects.get(username="demo_staff").check_password(password)
    assert "demo_province" in first


@pytest.mark.django_db
def test_demo_accounts_are_refused_in_production(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username__startswith="demo_").exists()
