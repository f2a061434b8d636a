"""Evidence files: the type detected from the content, safe names, size limits, storage through the storage API."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
import zlib
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


# Inside an Office file (a zip), everything unpacked together may not exceed this, nor hold more parts than this:
# a "zip bomb" dressed as XLSX or DOCX is refused before it is unpacked in full, and so is one whose parts are
# larger than their headers say.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 2000
_EXECUTABLE_SUFFIXES = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".msi",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".hta",
    ".jar",
    ".sh",
    ".lnk",
    ".cpl",
)
# A PDF that runs something when opened: scripts, launch actions, embedded files, forms with scripts.
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA", b"/AA")


class HostileFile(AssessmentError):
    """The file is of an accepted type but carries something that could run or overwhelm: refused."""


def _check_office(data: bytes) -> None:
    """Macros, executables, and unpacking beyond the limits are refused; each part is unpacked with a cap, so a
    part larger than its header says is caught while it is read."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise HostileFile(_("This file holds too many parts to be a document."))
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNPACKED_BYTES:
        raise HostileFile(
            _("This file unpacks to more than %(mb)s MB: it is refused.") % {"mb": MAX_UNPACKED_BYTES >> 20}
        )
    unpacked = 0
    for member in members:
        name = member.filename.lower()
        if member.is_dir():
            continue
        if "vbaproject" in name or (name.endswith(".bin") and "vba" in name):
            raise HostileFile(_("This file contains macros, which are not accepted. Save it without macros."))
        if name.endswith(_EXECUTABLE_SUFFIXES):
            raise HostileFile(_("This file contains a program, which is not accepted."))
        read = 0
        with archive.open(member) as part:
            while chunk := part.read(65536):
                if read == 0 and (chunk[:2] == b"MZ" or chunk[:4] == b"\x7fELF"):
                    raise HostileFile(_("This file contains a program, which is not accepted."))
                read += len(chunk)
                # More than its header said (forged sizes), or past the limit for the whole file.
                if read > member.file_size or unpacked + read > MAX_UNPACKED_BYTES:
                    raise HostileFile(
                        _("This file unpacks to more than %(mb)s MB: it is refused.") % {"mb": MAX_UNPACKED_BYTES >> 20}
                    )
        unpacked += read
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise HostileFile(_("This file contains macros, which are not accepted. Save it without macros."))


def _check_pdf(data: bytes) -> None:
    if any(marker in data for marker in _PDF_ACTIVE):
        raise HostileFile(
            _("This PDF contains scripts, actions or attached files, which are not accepted. Print it to a new PDF.")
        )


def _check_image(data: bytes) -> None:
    """The whole file must be the image its first bytes announce (a PNG header in front of a web page is not)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for a broken or disguised image
        raise HostileFile(_("This image is damaged or is not really an image.")) from None
    if b"<script" in data.lower() or b"<html" in data.lower():
        raise HostileFile(_("This image is damaged or is not really an image."))


def check_content(kind: str, data: bytes) -> None:
    """Refuse a file of an accepted type that carries something active or oversized (raises HostileFile)."""
    if kind in ("docx", "xlsx"):
        try:
            _check_office(data)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, KeyError):
            raise HostileFile(_("This file is damaged: it cannot be opened as a document.")) from None
    elif kind == "pdf":
        _check_pdf(data)
    elif kind in ("png", "jpg"):
        _check_image(data)


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
    check_content(kind, data)
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
    # Unscoped: the return being written, after check_can_write.
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(last_activity_at=timezone.now())
    return evidence


def remove_evidence(evidence: Evidence, user, now=None) -> None:
    """Remove a file from the return. The stored file is kept: its history row still points at it."""
    check_can_write(evidence.assessment, user, evidence.indicator_id, now)
    evidence._history_user = user
    evidence.delete()
