"""Shared fixtures: a small two-province registry, one named user per role (plus outsiders), and returns.

Inside scope: province P1 (code 50) ⊃ district D1 (5001) ⊃ local government LG1 (and LG2 in D1, LG3 in D1b).
Outside: province P2 (code 90) ⊃ district D2 (9001) ⊃ local government LG_OUT.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from localstandards.registry.models import LocalGovernmentType, Region
from tests.assessments import factories as return_factories
from tests.commit_hooks import on_commit_as_in_production, tasks_run_in_process  # noqa: F401  (autouse)
from tests.factories import DistrictFactory, LocalGovernmentFactory, ProvinceFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests only need hashing to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    province: object
    district: object
    other_district_same_province: object
    local_government: object
    neighbour_same_district: object
    local_government_other_district: object
    other_province: object
    other_district: object
    outside_local_government: object


@pytest.fixture
def world(db) -> World:
    p1 = ProvinceFactory(code="50", name_th="เชียงใหม่", name_en="Chiang Mai", region=Region.NORTH)
    p2 = ProvinceFactory(code="90", name_th="สงขลา", name_en="Songkhla", region=Region.SOUTH)
    d1 = DistrictFactory(code="5001", province=p1, name_th="เมืองเชียงใหม่")
    d1b = DistrictFactory(code="5002", province=p1, name_th="จอมทอง")
    d2 = DistrictFactory(code="9001", province=p2, name_th="เมืองสงขลา")
    return World(
        province=p1,
        district=d1,
        other_district_same_province=d1b,
        local_government=LocalGovernmentFactory(
            district=d1,
            dla_code="5500101",
            name_th="หนองป่าครั่ง",
            type=LocalGovernmentType.SUBDISTRICT,
            full_name_th="เทศบาลตำบลหนองป่าครั่ง",
        ),
        neighbour_same_district=LocalGovernmentFactory(district=d1, dla_code="6500102", name_th="สันผีเสื้อ"),
        local_government_other_district=LocalGovernmentFactory(district=d1b, dla_code="6500201", name_th="ดอยแก้ว"),
        other_province=p2,
        other_district=d2,
        outside_local_government=LocalGovernmentFactory(district=d2, dla_code="6900101", name_th="เกาะแต้ว"),
    )


@dataclass
class Users:
    staff: object
    head: object
    district_officer: object
    province_officer: object
    national_admin: object
    committee_viewer: object
    outsider_staff: object
    outsider_province_officer: object
    no_role: object

    def by_name(self, name: str):
        return getattr(self, name)


@pytest.fixture
def users(world) -> Users:
    def make(username: str, role: str | None, scope=None):
        user = UserFactory(username=username)
        if role:
            grant_role(user, role, scope)
        return user

    return Users(
        staff=make("staff", Role.LG_STAFF, world.local_government),
        head=make("head", Role.LG_HEAD, world.local_government),
        district_officer=make("district_officer", Role.DISTRICT_OFFICER, world.district),
        province_officer=make("province_officer", Role.PROVINCE_OFFICER, world.province),
        national_admin=make("national_admin", Role.NATIONAL_ADMIN),
        committee_viewer=make("committee_viewer", Role.COMMITTEE_VIEWER),
        outsider_staff=make("outsider_staff", Role.LG_STAFF, world.outside_local_government),
        outsider_province_officer=make("outsider_province_officer", Role.PROVINCE_OFFICER, world.other_province),
        no_role=make("no_role", None),
    )


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# ---- Returns: a published framework, open and closed rounds and world.local_government's return, shared by the
# assessments, scoring, reports and notices tests (fixtures in a package's conftest are not visible to its siblings).


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded evidence goes to a temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def framework(db):
    return return_factories.make_published_framework()


@pytest.fixture
def open_round(world, framework):
    """Entry opened 10 days ago and closes in 10 days; review deadline in 20 days; both review levels."""
    return return_factories.open_test_round(framework, name="รอบเปิด")


@pytest.fixture
def closed_round(world, framework):
    """Entry closed 10 days ago; the review deadline was 5 days ago."""
    return return_factories.open_test_round(framework, opens_in=-40, closes_in=-10, review_in=-5, name="รอบปิด")


@pytest.fixture
def assessment(open_round, world):
    return open_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )


@pytest.fixture
def closed_assessment(closed_round, world):
    return closed_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )


@pytest.fixture
def other_staff(world):
    """A second staff member of world.local_government (two people editing the same return)."""
    user = UserFactory(username="staff2", first_name="สมหญิง", last_name="รักงาน")
    grant_role(user, Role.LG_STAFF, world.local_government)
    return user


@pytest.fixture
def neighbour_staff(world):
    """Staff of another อปท. in the same district."""
    user = UserFactory(username="neighbour_staff")
    grant_role(user, Role.LG_STAFF, world.neighbour_same_district)
    return user


@pytest.fixture
def neighbour_head(world):
    user = UserFactory(username="neighbour_head")
    grant_role(user, Role.LG_HEAD, world.neighbour_same_district)
    return user


@pytest.fixture
def other_district_officer(world):
    """A district officer of district 5002 (same province, another district)."""
    user = UserFactory(username="other_district_officer")
    grant_role(user, Role.DISTRICT_OFFICER, world.other_district_same_province)
    return user


@pytest.fixture
def filled(assessment, users):
    """The return with every answer, the satisfaction counts and the ratio's evidence in."""
    return return_factories.fill_return(assessment, users.staff)


@pytest.fixture
def submitted(filled, users):
    """The filled return certified and submitted by the head: awaiting the district."""
    return return_factories.certify(filled, users.head)
