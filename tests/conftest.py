"""Shared fixtures: a small two-province registry, one named user per role (plus outsiders), and returns.

Inside scope: province P1 (code 50) ⊃ district D1 (5001) ⊃ local government LG1 (and LG2 in D1, LG3 in D1b).
Outside: province P2 (code 90) ⊃ district D2 (9001) ⊃ local government LG_OUT.

The registry, the users and the published framework are built once per test module (`module_rows`, see
tests/module_rows.py) and every test gets its own copies; rounds and returns are built for each test.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, fields
from pathlib import Path

import hypothesis
import pytest
from django.test import Client

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from localstandards.frameworks.services import forget_frozen_trees
from localstandards.registry.models import LocalGovernmentType, Region
from tests.assessments import factories as return_factories
from tests.commit_hooks import on_commit_as_in_production, tasks_run_in_process  # noqa: F401  (autouse)
from tests.factories import DistrictFactory, LocalGovernmentFactory, ProvinceFactory, UserFactory
from tests.module_rows import ModuleRows, is_transactional

# Hypothesis's deadline and too-slow check time the tests, and a loaded machine fails them: no timed tests here.
hypothesis.settings.register_profile("untimed", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("untimed")

PASSWORD = "correct horse battery staple"
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def two_factor_not_required(settings):
    """Production requires two-factor login of national admins; tests/accounts/test_two_factor.py turns it on."""
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL_ADMINS = False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests only need hashing to work."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def frozen_trees_start_empty():
    """Published framework trees are kept per process (frameworks.services.frozen_tree); tests build frameworks
    that a rollback forgets, so each test starts without any."""
    forget_frozen_trees()
    yield
    forget_frozen_trees()


# ---- Rows shared by the tests of a module: built once inside the module's atomic block, copied for each test.


@pytest.fixture(scope="module")
def module_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The module's atomic block, rolled back when the module is done (tests/module_rows.py)."""
    rows = ModuleRows(
        django_db_blocker,
        PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("module-media")),
    )
    rows.open()
    yield rows
    rows.close()


@pytest.fixture(autouse=True)
def transactional_tests_leave_module_rows(request):
    """A transactional test commits its rows and is flushed after: it must not run inside the module's block."""
    if ModuleRows.current is not None and is_transactional(request.node):
        ModuleRows.current.close()


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


def build_world() -> World:
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


@pytest.fixture(scope="module")
def module_world(module_rows) -> World | None:
    return module_rows.build(build_world)


@pytest.fixture
def world(db, module_rows, module_world) -> World:
    return module_rows.get(module_world, build_world)


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


# Every named user of the `users` fixture, for tables of who may do what.
USER_NAMES = [f.name for f in fields(Users)]


def build_users(world: World) -> Users:
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


@pytest.fixture(scope="module")
def module_users(module_rows, module_world) -> Users | None:
    return module_rows.build(build_users, module_world)


@pytest.fixture
def users(world, module_rows, module_users) -> Users:
    """Fresh user objects for each test (no scope cached by `accessible_units` from another test)."""
    return module_rows.get(module_users, lambda: build_users(world))


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
    """Uploaded evidence goes to a temporary folder, never to the project's media/. Files of the module's shared
    rows are copied into it, so a test may delete or replace them without the next test noticing."""
    rows = ModuleRows.current
    if rows is not None and rows.is_open and any(Path(rows.media_root).iterdir()):
        shutil.copytree(rows.media_root, tmp_path, dirs_exist_ok=True)
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(scope="module")
def module_framework(module_rows):
    return module_rows.build(return_factories.make_published_framework)


@pytest.fixture
def framework(db, module_rows, module_framework):
    return module_rows.get(module_framework, return_factories.make_published_framework)


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


# ---- Figures a test reports (`record_property("figure", "fuzz: cases=… server_errors=0")`), printed at the end of
# the run: the line reaches the output under output capture and from pytest-xdist's workers alike.


def pytest_terminal_summary(terminalreporter):
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "figure" and getattr(report, "when", "") == "call":
                    terminalreporter.write_line(str(value))
