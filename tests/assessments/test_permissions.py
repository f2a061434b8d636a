"""assessments.permissions.may: who may do what to a return, by role and by where the role is held.

The same table is asked of three returns: the users' own local government, a neighbour in the same district (a
sibling: its district and province officers are the same) and one in another province (outside every local
user's scope).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from localstandards.assessments.permissions import Action, may
from tests.conftest import USER_NAMES

ALL = USER_NAMES

OWN = {
    Action.VIEW: {"staff", "head", "district_officer", "province_officer", "national_admin", "committee_viewer"},
    Action.VIEW_EVIDENCE: {"staff", "head", "district_officer", "province_officer", "national_admin"},
    Action.ENTER_DATA: {"staff", "head"},
    Action.CERTIFY: {"head"},
    Action.REVIEW_DISTRICT: {"district_officer", "national_admin"},
    Action.REVIEW_PROVINCE: {"province_officer", "national_admin"},
    Action.REVIEW: {"district_officer", "province_officer", "national_admin"},
    Action.REOPEN: {"national_admin"},
    Action.COMMENT: {"staff", "head", "district_officer", "province_officer", "national_admin"},
    Action.GRANT_EXTENSION: {"national_admin"},
    Action.EXCLUDE_SURVEY: {"head", "district_officer", "province_officer", "national_admin"},
}

# The neighbour in the same district: the same officers; the users' own local government's people have no part.
SIBLING = {action: allowed - {"staff", "head"} for action, allowed in OWN.items()}

OUTSIDE = {
    Action.VIEW: {"outsider_staff", "outsider_province_officer", "national_admin", "committee_viewer"},
    Action.VIEW_EVIDENCE: {"outsider_staff", "outsider_province_officer", "national_admin"},
    Action.ENTER_DATA: {"outsider_staff"},
    Action.CERTIFY: set(),  # the outsider holds the staff role there, not the head's
    Action.REVIEW_DISTRICT: {"national_admin"},
    Action.REVIEW_PROVINCE: {"outsider_province_officer", "national_admin"},
    Action.REVIEW: {"outsider_province_officer", "national_admin"},
    Action.REOPEN: {"national_admin"},
    Action.COMMENT: {"outsider_staff", "outsider_province_officer", "national_admin"},
    Action.GRANT_EXTENSION: {"national_admin"},
    Action.EXCLUDE_SURVEY: {"outsider_province_officer", "national_admin"},
}


def _return_of(open_round, local_government):
    return open_round.assessments.select_related("round", "local_government").get(local_government=local_government)


@pytest.mark.parametrize(
    "target,table",
    [("local_government", OWN), ("neighbour_same_district", SIBLING), ("outside_local_government", OUTSIDE)],
)
def test_who_may_do_what_to_a_return(open_round, world, users, target, table):
    assessment = _return_of(open_round, getattr(world, target))
    assert set(table) == set(Action)
    for action, allowed in table.items():
        granted = {name for name in ALL if may(users.by_name(name), action, assessment)}
        assert granted == allowed, action


def test_provincial_officers_grant_extensions_only_where_the_round_allows_it(open_round, world, users):
    assessment = _return_of(open_round, world.local_government)
    assert not may(users.province_officer, Action.GRANT_EXTENSION, assessment)
    assessment.round.province_may_extend = True
    assert may(users.province_officer, Action.GRANT_EXTENSION, assessment)
    assert not may(users.outsider_province_officer, Action.GRANT_EXTENSION, assessment)


def test_an_inactive_user_or_an_anonymous_visitor_may_do_nothing(open_round, world, users):
    from django.contrib.auth.models import AnonymousUser

    assessment = _return_of(open_round, world.local_government)
    users.head.is_active = False
    assert not any(may(users.head, action, assessment) for action in Action)
    assert not any(may(AnonymousUser(), action, assessment) for action in Action)


def test_no_other_module_reads_roles_to_decide_about_one_return():
    """Per-return decisions are the permissions module's: the other modules of the returns' app never compare a
    membership's role (the lists of returns use Assessment.objects.for_user, the same scope)."""
    root = Path(__file__).resolve().parents[2] / "localstandards" / "assessments"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "permissions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "cached_memberships":
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
