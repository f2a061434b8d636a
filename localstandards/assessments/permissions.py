"""May this user do X to this return? The one place that answers it.

Every page, HTMX handler, service, API operation and task asks `may(user, Action.X, assessment)`; nothing else reads
a user's memberships to decide about a return. The answer is about who the user is for this return (their roles
and where they hold them); whether the return's state and the calendar allow the act now is the workflow's
(`assessments.workflow`, the state machine) and the services' (`check_can_write`: the entry window, extensions,
read-only indicators). Reading a list of returns goes through `Assessment.objects.for_user(user)`, which uses the
same scope (`registry.scoping.accessible_units`).

    VIEW             anyone whose scope covers the local government (its people, its district's and province's
                     officers, national administrators and committee viewers)
    VIEW_EVIDENCE    as VIEW, except committee viewers: they read the national results and reports, not the files
                     behind returns, which may show people (docs/roles-and-scoping.md)
    ENTER_DATA       the local government's staff and head
    CERTIFY          its head (certify and submit, resubmit)
    REVIEW_DISTRICT  the district's officer, or a national administrator
    REVIEW_PROVINCE  the province's officer, or a national administrator
    REVIEW           either review level (comment as a reviewer, mark a quality flag checked)
    REOPEN           a national administrator
    COMMENT          ENTER_DATA or REVIEW
    GRANT_EXTENSION  a national administrator; the province's officer when the round allows it
    EXCLUDE_SURVEY   a reviewer of the return or its head (take a batch of survey responses out of the counts)

Pages only national administrators use (rounds, frameworks, fiscal data, a person's data) are gated by
`core.permissions.national_admin_required`, which reads the same `is_national_admin`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from localstandards.accounts.models import Role
from localstandards.registry.scoping import accessible_units

if TYPE_CHECKING:
    from localstandards.assessments.models import Assessment


class Action(StrEnum):
    VIEW = "view"
    VIEW_EVIDENCE = "view_evidence"
    ENTER_DATA = "enter_data"
    CERTIFY = "certify"
    REVIEW_DISTRICT = "review_district"
    REVIEW_PROVINCE = "review_province"
    REVIEW = "review"
    REOPEN = "reopen"
    COMMENT = "comment"
    GRANT_EXTENSION = "grant_extension"
    EXCLUDE_SURVEY = "exclude_survey"


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _holds(user, role: str, *, local_government_id=None, district_id=None, province_id=None) -> bool:
    for membership in user.cached_memberships:
        if membership.role != role:
            continue
        if local_government_id is not None and membership.local_government_id == local_government_id:
            return True
        if district_id is not None and membership.district_id == district_id:
            return True
        if province_id is not None and membership.province_id == province_id:
            return True
    return False


def only_committee_viewer(user) -> bool:
    """A committee viewer and nothing else (a superuser is never only that)."""
    memberships = getattr(user, "cached_memberships", None) or []
    return (
        bool(memberships)
        and all(m.role == Role.COMMITTEE_VIEWER for m in memberships)
        and not getattr(user, "is_superuser", False)
    )


def may(user, action: Action | str, assessment: Assessment) -> bool:
    """Whether `user`, by their roles and where they hold them, may do `action` to this return."""
    if not _active(user):
        return False
    action = Action(action)
    lg = assessment.local_government
    if action == Action.VIEW:
        scope = accessible_units(user)
        return (
            scope.nation
            or lg.pk in scope.local_government_ids
            or lg.district_id in scope.district_ids
            or lg.province_id in scope.province_ids
        )
    if action == Action.VIEW_EVIDENCE:
        return may(user, Action.VIEW, assessment) and not only_committee_viewer(user)
    if action == Action.ENTER_DATA:
        return _holds(user, Role.LG_STAFF, local_government_id=lg.pk) or _holds(
            user, Role.LG_HEAD, local_government_id=lg.pk
        )
    if action == Action.CERTIFY:
        return _holds(user, Role.LG_HEAD, local_government_id=lg.pk)
    if action == Action.REVIEW_DISTRICT:
        return user.is_national_admin or _holds(user, Role.DISTRICT_OFFICER, district_id=lg.district_id)
    if action == Action.REVIEW_PROVINCE:
        return user.is_national_admin or _holds(user, Role.PROVINCE_OFFICER, province_id=lg.province_id)
    if action == Action.REVIEW:
        return may(user, Action.REVIEW_DISTRICT, assessment) or may(user, Action.REVIEW_PROVINCE, assessment)
    if action == Action.REOPEN:
        return user.is_national_admin
    if action == Action.COMMENT:
        return may(user, Action.ENTER_DATA, assessment) or may(user, Action.REVIEW, assessment)
    if action == Action.GRANT_EXTENSION:
        return user.is_national_admin or (
            assessment.round.province_may_extend and _holds(user, Role.PROVINCE_OFFICER, province_id=lg.province_id)
        )
    if action == Action.EXCLUDE_SURVEY:
        return may(user, Action.REVIEW, assessment) or may(user, Action.CERTIFY, assessment)
    raise ValueError(action)  # pragma: no cover - Action() above refuses unknown names
