"""Schemathesis against the live test server: every operation of the schema, generated requests, no server error
and every response as documented (status code, content type, body schema); then requests that break the schema on
purpose, which must be refused without a server error. The counts of cases are printed.

Half the cases use the ids of real rows (the return of LG1, its indicators and question), the others random ids
(404 problem details), so both the found and the not-found paths are exercised.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from localstandards.api.models import TokenScope
from localstandards.assessments.models import Assessment
from tests.api.conftest import make_token
from tests.assessments.factories import RATIO, indicator, question
from tests.reports.conftest import make_final

pytestmark = [pytest.mark.django_db(transaction=True)]

CASES_PER_OPERATION = 60  # 17 operations: 1,020 cases
INVALID_CASES_PER_OPERATION = 20  # requests that break the schema on purpose: 340 more
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzz(
    operation, strategy, base_url: str, headers: dict, counts: dict[str, int], examples=CASES_PER_OPERATION, checks=None
) -> None:
    """Run `examples` generated cases of one operation through the checks (a failure raises)."""

    @hypothesis.settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case):
        counts[operation.label] += 1
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=checks or CHECKS)

    run()


def test_generated_requests_get_no_server_error_and_documented_answers(
    live_server, settings, world, users, open_round, capsys
):
    settings.API_RATE_LIMIT_PER_MINUTE = 0  # the limit is tested on its own; here it would answer 429 to most
    mine = Assessment.objects.unscoped().get(round=open_round, local_government=world.local_government)
    peer = Assessment.objects.unscoped().get(round=open_round, local_government=world.neighbour_same_district)
    make_final(peer)
    reader = make_token(users.national_admin).key
    writer = make_token(
        users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.local_government, can_write=True
    ).key
    real = {
        "return_id": mine.pk,
        "indicator_id": indicator(mine.framework, RATIO).pk,
        "question_id": question(mine.framework).pk,
        "round_id": open_round.pk,
        "framework_id": mine.framework_id,
        "lg_id": world.local_government.pk,
        "code": world.province.code,
    }
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    counts: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        token = writer if operation.method.upper() == "PUT" else reader
        headers = {"Authorization": f"Bearer {token}"}
        names = [p.name for p in operation.iter_parameters() if p.location == "path"]
        strategies = [operation.as_strategy()]
        if names:
            strategies.append(operation.as_strategy(path_parameters={name: real[name] for name in names}))
        counts[operation.label] = 0

        fuzz(operation, st.one_of(*strategies), live_server.url, headers, counts)
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} generated cases over {len(counts)} operations, 0 server errors")
    assert len(counts) == 17
    assert total >= 1000


def test_invalid_requests_never_get_a_server_error(live_server, settings, world, users, open_round, capsys):
    """Negative cases (wrong types, missing fields, values outside the bounds): refused, never a 500."""
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    reader = make_token(users.national_admin).key
    writer = make_token(
        users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.local_government, can_write=True
    ).key
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    counts: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        token = writer if operation.method.upper() == "PUT" else reader
        counts[operation.label] = 0
        strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        headers = {"Authorization": f"Bearer {token}"}
        fuzz(operation, strategy, live_server.url, headers, counts, INVALID_CASES_PER_OPERATION, [not_a_server_error])
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} invalid cases over {len(counts)} operations, 0 server errors")
    assert total >= 300
