"""What the home page shows each role: their own returns, the review queue, notices and their scope's progress."""

from __future__ import annotations

from django.db.models import Count

from localstandards.accounts.models import Role
from localstandards.assessments import workflow
from localstandards.assessments.models import Assessment, ReviewLevel, Status
from localstandards.assessments.permissions import may
from localstandards.notices.models import Notice
from localstandards.progress import services as progress_services


def returns_summary(user) -> dict:
    """The user's own returns, the review queue of their level, and their recent notices."""
    visible = Assessment.objects.for_user(user).select_related("round", "local_government")
    own_lg_ids = [m.local_government_id for m in user.cached_memberships if m.role in (Role.LG_STAFF, Role.LG_HEAD)]
    own = list(
        visible.filter(local_government_id__in=own_lg_ids).order_by("-round__fiscal_year", "-round__opens_on")[:5]
    )
    waiting = []
    for level, status in workflow.STATUS_OF_LEVEL.items():
        actor = "district" if level == ReviewLevel.DISTRICT else "province"
        candidates = visible.filter(status=status)
        first = candidates.first()
        if first is not None and may(user, workflow.ACTION_OF_ACTOR[actor], first):
            waiting.append((Status(status).label, candidates.count()))  # every round: the queue is all of it
    notices = list(Notice.objects.for_user(user).select_related("assessment")[:5])
    return {"own_returns": own, "review_waiting": waiting, "notices": notices}


def progress_summary(user) -> dict:
    """Officers open on the progress of their scope in the latest round."""
    assessment_round = progress_services.latest_round()
    where = progress_services.top_level(user) if user.follows_progress else None
    if assessment_round is None or where is None:
        return {}
    level, code = where
    progress = progress_services.compute(user, assessment_round, level, None if level == "nation" else code)
    # "Awaiting review" is one number everywhere: submitted and with the district or the province
    # (Status.AWAITING_REVIEW); the home page shows how it splits, so it adds up with the queue beside it.
    waiting = dict(
        Assessment.objects.for_user(user)
        .filter(round=assessment_round)
        .awaiting_review()
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    split = [(Status(status).label, waiting.get(status, 0)) for status in Status.AWAITING_REVIEW]
    return {"home_progress": progress, "home_progress_where": where, "home_awaiting_review": split}
