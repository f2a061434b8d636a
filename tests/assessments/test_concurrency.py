"""Two people saving the same answer at the same moment, in two real database transactions."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from localstandards.assessments import services
from localstandards.assessments.models import Answer
from tests.assessments import factories
from tests.assessments.factories import RATIO


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_one_wins_and_the_other_gets_the_conflict(assessment, users, other_staff):
    ratio = factories.indicator(assessment.framework, RATIO)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(name, user, delivered):
        try:
            barrier.wait(timeout=10)
            services.save_answer(assessment, ratio, user, {"base": "10", "delivered": str(delivered)}, 0)
            outcomes[name] = "saved"
        except services.VersionConflict as error:
            outcomes[name] = error.current
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("a", users.staff, 8)),
        threading.Thread(target=save, args=("b", other_staff, 6)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(type(v).__name__) if v != "saved" else "saved" for v in outcomes.values()) == [
        "Answer",
        "saved",
    ], outcomes
    winner = next(name for name, value in outcomes.items() if value == "saved")
    loser_saw = next(value for value in outcomes.values() if value != "saved")
    stored = Answer.objects.unscoped().get(assessment=assessment, indicator=ratio)
    expected = {"a": (users.staff, Decimal("8")), "b": (other_staff, Decimal("6"))}[winner]
    assert (stored.updated_by, stored.delivered, stored.version) == (*expected, 1)
    assert (loser_saw.updated_by, loser_saw.delivered) == expected
