"""Fail closed: every model that holds a local government's data refuses a query that names no scope.

`Model.objects` (and the model's history) must be narrowed by `.for_user(user)` or opened on purpose with
`.unscoped()`; a forgotten filter is an `UnscopedQueryError` here, in the tests, instead of a leak in production.
The models are found from the schema (a foreign key to a return or a local government, at most two hops away), so
a new model cannot slip past: it is either guarded or listed below with the reason it is not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from localstandards.assessments.models import Assessment
from localstandards.registry.models import LocalGovernment
from localstandards.registry.scoping import ScopedQuerySet, UnscopedQueryError

NOT_GUARDED = {
    # The registry is DLA's open list: the public pages show every local government.
    "registry.LocalGovernment": "public registry",
    # People and their roles, not a return's data: accounts decide who may manage whom (accounts.people).
    "accounts.RoleMembership": "people and roles",
    "accounts.Invitation": "people and roles",
    "accounts.AccessRequest": "people and roles",
    # A framework version's failed expression, for the national administrators' framework pages only.
    "frameworks.ExpressionProblem": "framework maintenance",
    # A person's own API tokens and their uses: the token pages list the creator's only (api.services).
    "api.ApiToken": "a person's own tokens",
    "api.ApiTokenUse": "a person's own tokens",
}


def _reaches_local_data(model, depth: int = 2) -> bool:
    for field in model._meta.get_fields():
        if not (field.concrete and (field.many_to_one or field.one_to_one)) or field.related_model is None:
            continue
        if field.related_model in (Assessment, LocalGovernment):
            return True
        if depth > 1 and field.related_model is not model and _reaches_local_data(field.related_model, depth - 1):
            return True
    return False


def local_data_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("localstandards")
        and (model is Assessment or _reaches_local_data(model))
        and not model.__name__.startswith("Historical")  # a history table is reached through its model's `history`
    ]


def guarded_managers() -> list[tuple[str, models.Manager]]:
    found = []
    for model in local_data_models():
        if model._meta.label in NOT_GUARDED:
            continue
        found.append((model._meta.label, model.objects))
        if hasattr(model._meta, "simple_history_manager_attribute"):
            found.append((f"{model._meta.label}.history", getattr(model, model._meta.simple_history_manager_attribute)))
    return found


def test_every_model_holding_local_data_is_guarded_or_listed_with_a_reason():
    labels = {model._meta.label for model in local_data_models()}
    unguarded = sorted(
        label
        for label in labels - NOT_GUARDED.keys()
        if not (
            isinstance(apps.get_model(label).objects.all(), ScopedQuerySet)
            and apps.get_model(label).objects.all().guarded
        )
    )
    assert unguarded == []
    assert set(NOT_GUARDED) <= labels | {"registry.LocalGovernment"}, "a listed model no longer holds local data"
    assert {"assessments.Extension", "notices.Notice", "notices.ReminderSent"} <= labels


READS = {
    "iterate": lambda qs: list(qs),
    "get": lambda qs: qs.get(pk=1),
    "first": lambda qs: qs.first(),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "values": lambda qs: list(qs.values_list("pk", flat=True)),
    "aggregate": lambda qs: qs.aggregate(n=models.Count("pk")),
    "update": lambda qs: qs.update(pk=models.F("pk")),
    "delete": lambda qs: qs.delete(),
    "iterator": lambda qs: list(qs.iterator()),
    "in_bulk": lambda qs: qs.in_bulk([1]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("label,manager", guarded_managers(), ids=[label for label, _ in guarded_managers()])
def test_an_unscoped_query_is_refused_and_a_scoped_one_runs(label, manager, users):
    for name, read in READS.items():
        with pytest.raises(UnscopedQueryError, match="for_user"):
            read(manager.filter(pk__gte=0))
            pytest.fail(f"{label}: {name} ran without a scope")
    # Narrowed, or opened on purpose: the same reads run.
    list(manager.for_user(users.staff).filter(pk__gte=0))
    manager.unscoped().filter(pk__gte=0).count()
    assert list(manager.none()) == []


@pytest.mark.django_db
def test_for_user_narrows_and_the_related_managers_of_a_scoped_return_run(assessment, users, world):
    assert list(Assessment.objects.for_user(users.outsider_staff).filter(pk=assessment.pk)) == []
    mine = Assessment.objects.for_user(users.staff).get(pk=assessment.pk)
    # Narrowed by a return the caller already read in scope: its answers, history and flags read as they are.
    assert list(mine.answers.all()) == []
    mine.save()  # one row in its history
    assert mine.history.count() == 1
    # A guarded query used inside a scoped one (a subquery) is fine: the outer query names the scope.
    inner = Assessment.objects.filter(local_government=world.local_government).values("pk")
    assert Assessment.objects.for_user(users.staff).filter(pk__in=inner).count() == 1


def test_application_code_reads_through_objects_never_the_unguarded_manager():
    """`framework_objects` is Django's (unique checks, cascades, serialisation): the app never calls it."""
    root = Path(__file__).resolve().parents[2] / "localstandards"
    guarded_names = {label.split(".")[1] for label, _manager in guarded_managers() if "history" not in label}
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "scoping.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"framework_objects", "_default_manager"}
                and isinstance(node.ctx, ast.Load)
            ):
                offenders.append(str(path.relative_to(root)))
            # get_object_or_404(Model, ...) reads through the default manager: pass a scoped queryset instead.
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in {"get_object_or_404", "get_list_or_404"}
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in guarded_names
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} {node.args[0].id}")
    # The backup reads every table's stored file names, as dumpdata reads every row.
    assert set(offenders) <= {"operations/services.py"}
