"""The test suite's own plumbing: rows shared by a module stay per test, and the browser tests' relaxations stay
with the browser tests."""

import asyncio
import os

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from django.utils.asyncio import async_unsafe

from localstandards.registry.models import Province
from localstandards.registry.scoping import accessible_units


def test_outside_the_browser_tests_django_refuses_sync_calls_from_async_code():
    """tests/e2e sets DJANGO_ALLOW_ASYNC_UNSAFE only while Playwright runs; here the guard is armed again.

    (Run on one process, this test comes after the browser tests: pytest-django runs tests without the database
    last.)"""
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # no event loop left running by Playwright

    @async_unsafe
    def query():
        return "rows"

    async def from_async_code():
        return query()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(from_async_code())


# The next two tests run in this order: the first changes the shared rows, the second sees them as built.


@pytest.mark.django_db
def test_a_test_may_change_the_shared_rows(world, users):
    assert accessible_units(users.staff).local_government_ids == {world.local_government.pk}
    users.staff.is_active = False
    users.staff.save()
    world.province.name_th = "เปลี่ยนแล้ว"
    world.province.save()


@pytest.mark.django_db
def test_the_next_test_gets_them_as_built_with_fresh_objects(world, users, django_assert_num_queries):
    assert users.staff.is_active
    with django_assert_num_queries(1):  # computed again: no scope cached on the user by the test before
        assert accessible_units(users.staff).local_government_ids == {world.local_government.pk}
    users.staff.refresh_from_db()
    assert users.staff.is_active
    assert world.province.name_th == "เชียงใหม่"
    assert Province.objects.get(pk=world.province.pk).name_th == "เชียงใหม่"
