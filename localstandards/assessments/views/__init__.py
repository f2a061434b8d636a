"""The return pages, one module per concern; views stay thin and call assessments.services."""

from localstandards.assessments.views.entry import area, overview, preview_indicator, save_indicator, save_question
from localstandards.assessments.views.files import comment, download_evidence, remove_evidence, upload_evidence
from localstandards.assessments.views.lists import assessment_list, round_cancel, round_edit, round_list, round_new
from localstandards.assessments.views.review import (
    cancel_extension,
    extend,
    indicator_history,
    receipt,
    reopen,
    review,
    submit,
)

__all__ = [
    "area",
    "assessment_list",
    "cancel_extension",
    "comment",
    "download_evidence",
    "extend",
    "indicator_history",
    "overview",
    "preview_indicator",
    "receipt",
    "remove_evidence",
    "reopen",
    "review",
    "round_cancel",
    "round_edit",
    "round_list",
    "round_new",
    "save_indicator",
    "save_question",
    "submit",
    "upload_evidence",
]
