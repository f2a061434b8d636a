"""accessible_units: each role sees its scope and everything below it, nothing else (deny by default)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from localstandards.accounts.models import Role, RoleMembership
from localstandards.accounts.services import grant_role
from localstandards.registry.models import District, LocalGovernment, Province
from localstandards.registry.scoping import accessible_units
from tests.factories import UserFactory


def visible_codes(user) -> set[str]:
    return set(LocalGovernment.objects.for_user(user).values_list("dla_code", flat=True))


@pytest.mark.django_db
def test_each_role_sees_exactly_its_scope_and_below(world, users):
    everything = {"5500101", "6500102", "6500201", "6900101"}
    assert visible_codes(users.staff) == {"5500101"}
    assert visible_codes(users.head) == {"5500101"}
    assert visible_codes(users.district_officer) == {"5500101", "6500102"}
    assert visible_codes(users.province_officer) == {"5500101", "6500102", "6500201"}
    assert visible_codes(users.national_admin) == everything
    assert visible_codes(users.committee_viewer) == everything
    assert visible_codes(users.outsider_staff) == {"6900101"}
    assert visible_codes(users.no_role) == set()
    assert visible_codes(AnonymousUser()) == set()


@pytest.mark.django_db
def test_provinces_and_districts_follow_the_same_scope(world, users):
    assert set(Province.objects.for_user(users.province_officer)) == {world.province}
    assert set(District.objects.for_user(users.province_officer)) == {
        world.district,
        world.other_district_same_province,
    }
    assert set(District.objects.for_user(users.district_officer)) == {world.district}
    assert set(Province.objects.for_user(users.district_officer)) == set()
    assert set(Province.objects.for_user(users.staff)) == set()
    assert Province.objects.for_user(users.national_admin).count() == 2


@pytest.mark.django_db
def test_several_memberships_add_up(world, users):
    grant_role(users.staff, Role.DISTRICT_OFFICER, world.other_district)
    assert visible_codes(users.staff) == {"5500101", "6900101"}


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing(world, users):
    users.province_officer.is_active = False
    assert accessible_units(users.province_officer).is_empty


@pytest.mark.django_db
def test_the_scope_is_computed_with_one_query_and_cached(world, users, django_assert_num_queries):
    with django_assert_num_queries(1):
        accessible_units(users.province_officer)
        accessible_units(users.province_officer)


@pytest.mark.django_db
def test_a_membership_must_have_the_scope_its_role_needs(world, users):
    with pytest.raises(ValidationError) as caught:
        grant_role(UserFactory(), Role.DISTRICT_OFFICER, world.province)
    assert set(caught.value.message_dict) == {"district", "province"}
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleMembership.objects.create(user=UserFactory(), role=Role.LG_STAFF, province=world.province)
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleMembership.objects.create(user=users.national_admin, role=Role.NATIONAL_ADMIN)
