"""Business rules for rounds and returns, one module per concern; views, commands, tasks and the API call them.

Every write checks, on the server: the user's role for the local government, the workflow state, the entry
window (with extensions), and, for answers, the version the user edited (no silent overwrite). This package
names the public functions of its modules so callers can write `services.submit(...)`.
"""

from localstandards.assessments.services.access import can_enter_data, check_can_write
from localstandards.assessments.services.answers import (
    MAX_VALUE,
    SaveResult,
    clean_answer,
    parse_number,
    save_answer,
    save_satisfaction,
)
from localstandards.assessments.services.entries import (
    AreaEntry,
    Blocker,
    IndicatorEntry,
    build_entries,
    build_entry,
    general_return_reasons,
    indicator_is_editable,
    missing_parts,
    outcome_of,
    returned_entries,
    saved_entry,
    submission_blockers,
)
from localstandards.assessments.services.errors import (
    AssessmentError,
    EntryClosed,
    InvalidAnswer,
    NotAllowed,
    VersionConflict,
)
from localstandards.assessments.services.evidence import (
    CONTENT_TYPES,
    allowed_types_for,
    attach_evidence,
    detect_file_type,
    remove_evidence,
    safe_original_name,
)
from localstandards.assessments.services.review import (
    accept,
    add_comment,
    answers_checksum,
    reopen,
    return_for_correction,
    submit,
)
from localstandards.assessments.services.rounds import (
    Window,
    effective_deadline,
    entry_deadline,
    entry_window,
    grant_extension,
    may_grant_extension,
    open_round,
)

__all__ = [
    "CONTENT_TYPES",
    "MAX_VALUE",
    "AreaEntry",
    "AssessmentError",
    "Blocker",
    "EntryClosed",
    "IndicatorEntry",
    "InvalidAnswer",
    "NotAllowed",
    "SaveResult",
    "VersionConflict",
    "Window",
    "accept",
    "add_comment",
    "allowed_types_for",
    "answers_checksum",
    "attach_evidence",
    "build_entries",
    "build_entry",
    "can_enter_data",
    "check_can_write",
    "clean_answer",
    "detect_file_type",
    "effective_deadline",
    "entry_deadline",
    "entry_window",
    "general_return_reasons",
    "grant_extension",
    "indicator_is_editable",
    "may_grant_extension",
    "missing_parts",
    "open_round",
    "outcome_of",
    "parse_number",
    "remove_evidence",
    "reopen",
    "return_for_correction",
    "returned_entries",
    "safe_original_name",
    "save_answer",
    "save_satisfaction",
    "saved_entry",
    "submission_blockers",
    "submit",
]
