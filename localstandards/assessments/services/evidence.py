"""Evidence files: the type detected from the content, safe names, size limits, storage through the storage API."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import (
    Assessment,
    Evidence,
)
from localstandards.assessments.services.access import check_can_write
from localstandards.assessments.services.errors import AssessmentError, NotAllowed
from localstandards.frameworks.models import Indicator

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def detect_file_type(head: bytes, data: bytes) -> str | None:
    """The real type from the content (magic bytes, and the parts inside an Office zip), never from the name."""
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if extension == "jpeg":
        extension = "jpg"
    if extension in ("zip", "docx", "xlsx") or head[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    return extension


def safe_original_name(name: str) -> str:
    """Keep only the last path part, without control characters (a name like ../../x.pdf becomes x.pdf)."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[:200] or "file"


def allowed_types_for(indicator: Indicator) -> list[str]:
    configured = [t for t in settings.EVIDENCE_ALLOWED_TYPES if t in CONTENT_TYPES]
    wanted = [t for t in (indicator.evidence_types or []) if t in configured]
    return wanted or configured


def attach_evidence(assessment: Assessment, indicator: Indicator, user, upload, now=None) -> Evidence:
    if indicator.framework_id != assessment.framework_id:
        raise NotAllowed(_("This indicator is not part of this return."))
    check_can_write(assessment, user, indicator.pk, now)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise AssessmentError(_("The file is empty."))
    if upload.size > limit:
        raise AssessmentError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    data = upload.read()
    kind = detect_file_type(data[:8192], data)
    allowed = allowed_types_for(indicator)
    if kind not in allowed:
        raise AssessmentError(
            _("This file is not one of the accepted types (%(types)s), whatever its name says.")
            % {"types": ", ".join(t.upper() for t in allowed)}
        )
    evidence = Evidence(
        assessment=assessment,
        indicator=indicator,
        original_name=safe_original_name(upload.name or "file"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=CONTENT_TYPES[kind],
        uploaded_by=user,
    )
    evidence.file.save(f"upload.{kind}", ContentFile(data), save=False)
    evidence._history_user = user
    evidence.save()
    Assessment.objects.filter(pk=assessment.pk).update(last_activity_at=timezone.now())
    return evidence


def remove_evidence(evidence: Evidence, user, now=None) -> None:
    """Remove a file from the return. The stored file is kept: its history row still points at it."""
    check_can_write(evidence.assessment, user, evidence.indicator_id, now)
    evidence._history_user = user
    evidence.delete()
