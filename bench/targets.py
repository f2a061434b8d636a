"""Who takes part in the rush, for bench/locustfile.py: JSON on stdout.

Usage (the harness runs it): python bench/targets.py ROUND_ID [OFFICERS]
- officers: the staff of returns of the round that are open for writing today (drafts and returns sent back),
  one distinct local government each, with the URL of one area page of their return;
- reviewers: the national administrator and each province's officer, with the pages they open.
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.urls import reverse  # noqa: E402

from localstandards.assessments.models import Assessment, AssessmentRound, Status  # noqa: E402
from localstandards.generator.services import NATIONAL_ADMIN_USERNAME, province_username, usernames_for  # noqa: E402


def main() -> None:
    assessment_round = AssessmentRound.objects.get(pk=int(sys.argv[1]))
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    areas = list(assessment_round.framework.areas.order_by("order", "pk").values_list("code", flat=True))
    chooser = random.Random(1)
    open_returns = list(
        assessment_round.assessments.filter(status__in=Status.AWAITING_SUBMISSION)
        .select_related("local_government")
        .order_by("pk")
    )
    chooser.shuffle(open_returns)
    officers = [
        {
            "username": usernames_for(a.local_government)[0],
            "assessment": a.pk,
            "area_url": reverse("assessments:area", args=[a.pk, chooser.choice(areas)]),
        }
        for a in open_returns[:wanted]
    ]
    accepted = assessment_round.assessments.filter(status=Status.ACCEPTED).select_related("local_government__province")
    national_return = accepted.order_by("pk").first()
    reviewers = [
        {
            "username": NATIONAL_ADMIN_USERNAME,
            "pages": [
                ("national_progress", reverse("progress:level", args=[assessment_round.pk, "nation", "all"])),
                ("national_not_submitted", reverse("progress:laggards", args=[assessment_round.pk, "nation", "all"])),
                ("results", reverse("reports:results", args=[national_return.pk])),
            ],
        }
    ]
    provinces = sorted({a.local_government.province.code for a in open_returns})
    for code in provinces:
        sample: Assessment | None = accepted.filter(local_government__province__code=code).order_by("pk").first()
        pages = [
            ("province_progress", reverse("progress:level", args=[assessment_round.pk, "province", code])),
            ("province_not_submitted", reverse("progress:laggards", args=[assessment_round.pk, "province", code])),
        ]
        if sample:
            pages.append(("results", reverse("reports:results", args=[sample.pk])))
        username = province_username(sample.local_government.province) if sample else f"province{code}"
        reviewers.append({"username": username, "pages": pages})
    print(
        json.dumps(
            {
                "officers": officers,
                "reviewers": reviewers,
                "accepted_return": national_return.pk,
                "staff_sample": officers[0] if officers else None,
            }
        )
    )


if __name__ == "__main__":
    main()
