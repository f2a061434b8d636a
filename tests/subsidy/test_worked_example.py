"""Done when: the worked example in docs/subsidy-analysis.md equals what the page shows."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from tests.factories import UserFactory
from tests.html import find
from tests.subsidy.example import body_rows, build_example, doc_tables

pytestmark = pytest.mark.django_db

RESULT_TABLES = ["quintile-revenue", "quintile-subsidy", "shortfall", "cost"]


def test_the_doc_has_the_tables_the_test_reads():
    tables = doc_tables()
    assert set(tables) == {"input", "unit-costs", *RESULT_TABLES}
    assert len(tables["input"]) == 10


def test_the_worked_example_equals_the_page(framework, client_for):
    tables = doc_tables()
    example = build_example(framework, tables)
    admin = UserFactory(username="example_admin")
    grant_role(admin, Role.NATIONAL_ADMIN)
    client = client_for(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert response.status_code == 200
    for key in RESULT_TABLES:
        assert body_rows(find(response.content, id=f"table-{key}")) == tables[key], key
