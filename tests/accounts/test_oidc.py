"""Single sign-on against a real OpenID Connect provider: django-oauth-toolkit in OIDC mode, started here in a
subprocess on a free port (tests/accounts/oidc_provider). The browser's part is played by the Django test client
(this app) and a requests session (the provider); the app itself talks to the provider over HTTP (token, JWKS,
userinfo), as in production."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from localstandards.accounts.models import OidcIdentity, RoleMembership

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "localstandards-test", "client-secret-for-tests"
CALLBACK = "http://testserver/accounts/sso/callback/"
PASSWORD = "provider password 123"
PEOPLE = [
    ("somchai", PASSWORD, "somchai@example.go.th"),  # the staff member's address in this system
    ("stranger", PASSWORD, "stranger@example.go.th"),  # nobody here has this address
]

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("provider") / "provider.sqlite3"),
        "OIDC_PROVIDER_RSA_KEY": pem,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603  (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "tests.accounts.oidc_provider.setup",
            CLIENT_ID,
            CLIENT_SECRET,
            CALLBACK,
            json.dumps(PEOPLE),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("the OIDC provider did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    """This app configured for the provider, as docs/deployment.md describes (endpoints from its discovery)."""
    discovery = requests.get(f"{provider}/o/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = discovery["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_CREATE_USER = False
    settings.LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "localstandards.accounts.oidc.LinkingBackend",
    ]
    return provider


def sign_in_at_provider(provider: str, authorize_url: str, username: str) -> str:
    """The person logs in at the provider and is sent back: the callback URL with the code and state."""
    browser = requests.Session()
    login_url = f"{provider}/accounts/login/"
    browser.get(login_url, timeout=5)
    split = urlsplit(authorize_url)
    response = browser.post(
        login_url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "next": f"{split.path}?{split.query}",
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302, response.text[:500]
    back = browser.get(authorize_url, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text[:500]
    return back.headers["Location"]


def sso_login(client: Client, provider: str, username: str, start_url: str = "/accounts/sso/login/"):
    start = client.post(start_url) if start_url.endswith("/link/") else client.get(start_url)
    assert start.status_code == 302
    authorize_url = start["Location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]  # PKCE
    assert query["redirect_uri"] == [CALLBACK]
    callback = urlsplit(sign_in_at_provider(provider, authorize_url, username))
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    return client.get(f"{callback.path}?{callback.query}")


def test_an_sso_login_links_the_account_by_verified_email_and_lands_on_its_home_page(sso, users, world):
    users.staff.email = "Somchai@example.go.th"
    users.staff.save()
    roles_before = list(RoleMembership.objects.order_by("pk").values_list("pk", "user_id", "role"))
    client = Client()
    response = sso_login(client, sso, "somchai")
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"] == users.staff
    assert world.local_government.full_name_th in home.content.decode()  # the staff member's home: their return
    identity = OidcIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.email) == (users.staff, f"{sso}/o", "somchai@example.go.th")
    assert list(RoleMembership.objects.order_by("pk").values_list("pk", "user_id", "role")) == roles_before


def test_the_link_is_used_at_the_next_login_even_if_the_address_changes(sso, users):
    users.staff.email = "somchai@example.go.th"
    users.staff.save()
    sso_login(Client(), sso, "somchai")
    users.staff.email = "new-address@example.go.th"
    users.staff.save()
    client = Client()
    assert sso_login(client, sso, "somchai")["Location"] == "/"
    assert client.get("/").context["user"] == users.staff
    assert OidcIdentity.objects.count() == 1


def test_an_identity_without_an_account_is_refused_and_nothing_is_created(sso, users, django_user_model):
    accounts_before = django_user_model.objects.count()
    client = Client()
    response = sso_login(client, sso, "stranger")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert [str(m)[:14] for m in page.context["messages"]] == ["การเข้าสู่ระบบ"]
    assert django_user_model.objects.count() == accounts_before
    assert not OidcIdentity.objects.exists()


def test_an_address_two_accounts_share_links_neither(sso, users):
    for user in (users.staff, users.head):
        user.email = "somchai@example.go.th"
        user.save()
    client = Client()
    assert sso_login(client, sso, "somchai")["Location"] == "/accounts/login/"
    assert not OidcIdentity.objects.exists()


def test_a_logged_in_person_links_an_identity_whose_address_matches_no_account(sso, users, client_for):
    client = client_for(users.staff)
    profile = client.get("/accounts/profile/").content.decode()
    assert "/accounts/sso/link/" in profile
    response = sso_login(client, sso, "stranger", start_url="/accounts/sso/link/")
    assert response.status_code == 302 and response["Location"] == "/"
    identity = OidcIdentity.objects.get()
    assert (identity.user, identity.email) == (users.staff, "stranger@example.go.th")
    assert "/accounts/sso/link/" not in client.get("/accounts/profile/").content.decode()
    fresh = Client()
    assert sso_login(fresh, sso, "stranger")["Location"] == "/"
    assert fresh.get("/").context["user"] == users.staff


def test_an_identity_linked_to_one_account_cannot_be_linked_to_another(sso, users, client_for):
    sso_login(client_for(users.staff), sso, "stranger", start_url="/accounts/sso/link/")
    client = client_for(users.head)
    response = sso_login(client, sso, "stranger", start_url="/accounts/sso/link/")
    assert response["Location"] == "/accounts/login/"
    assert list(OidcIdentity.objects.values_list("user_id", flat=True)) == [users.staff.pk]


def test_without_configuration_there_is_no_sso(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert Client().get("/accounts/sso/login/").status_code == 404
    assert Client().get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert "sso/login" not in Client().get("/accounts/login/").content.decode()


def test_the_login_page_offers_sso_when_configured(sso):
    assert "/accounts/sso/login/" in Client().get("/accounts/login/").content.decode()
