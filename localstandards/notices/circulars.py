"""The circular letter (หนังสือเวียน) of a round, in the layout of a Thai official letter (ระเบียบงานสารบรรณ).

It travels down the chain: the national office writes to the provinces, each province to its districts, each
district to its local governments. The text of each level is an editable template (CircularTemplate) with `{name}`
placeholders filled from the round and the offices; the header is the sending office's own. Thai digits can be
switched on or off; the web address and the QR code (to the round's public progress page) keep Arabic digits,
or they would not open.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.core.pdf import thai_pdf_document
from localstandards.core.thaidate import format_date, thai_digits
from localstandards.notices.models import CircularLevel, CircularTemplate
from localstandards.notices.onboarding import coordinators, managed_district, managed_province, qr_svg
from localstandards.registry.models import District, Province

TEXT_FIELDS = (
    "reference",
    "subject",
    "salutation",
    "references",
    "enclosures",
    "body",
    "closing",
    "signer_name",
    "signer_position",
    "acting_for",
    "contact",
)
PLACEHOLDERS = ("round", "fiscal_year", "opens", "closes", "url", "area", "sender", "coordinator")


class CircularError(Exception):
    pass


def defaults(level: str) -> dict[str, str]:
    """The default text of a level, in Thai (English msgids translated by the notices catalogue)."""
    with translation.override("th"):
        common = {
            "subject": _("The minimum public-service standards assessment, round {round}"),
            "references": "",
            "enclosures": _("A guide to entering the data in the system, 1 copy"),
            "closing": _("Yours sincerely,"),
            "signer_name": "(........................................)",
        }
        body_first = _(
            "The Office of the Decentralization Committee assesses the minimum standards of public service "
            "provision of every local government for the fiscal year {fiscal_year} (round {round}). Each local "
            "government records its own data in the online system from {opens} to {closes}."
        )
        body_how = _(
            "The system is at {url}, or by scanning the QR code below. Each local government logs in with the "
            "accounts given in its activation letter. The progress of every province can be followed on the same "
            "page."
        )
        if level == CircularLevel.PROVINCE:
            return {
                **common,
                "reference": _("MOI 0816.2/W"),
                "salutation": _("Provincial Governors, all provinces"),
                "body": "\n\n".join(
                    [
                        body_first,
                        body_how,
                        _("Please inform the districts and every local government in your province."),
                    ]
                ),
                "signer_position": _("Director-General of the Department of Local Administration"),
                "acting_for": "",
                "contact": _("Local Administration Development Division\nPhone 0 2241 9000"),
            }
        if level == CircularLevel.DISTRICT:
            return {
                **common,
                "reference": _("Provincial Office 0023.3/W"),
                "salutation": _("District Chiefs, all districts in {area}"),
                "body": "\n\n".join(
                    [body_first, body_how, _("Please inform every local government in your district.")]
                ),
                "signer_position": _("Governor of {area}"),
                "acting_for": "",
                "contact": _("Office of Local Administration of {area} Province\nCoordinator: {coordinator}"),
            }
        return {
            **common,
            "reference": _("District Office 0023.1/W"),
            "salutation": _("Mayors and Chief Executives of the local governments, all of {area} district"),
            "body": "\n\n".join(
                [body_first, body_how, _("Please record the data and submit it within the time above.")]
            ),
            "signer_position": _("District Chief of {area}"),
            "acting_for": "",
            "contact": _("District Local Administration Office of {area}\nCoordinator: {coordinator}"),
        }


def template_for(level: str) -> CircularTemplate:
    """The saved template of a level, or an unsaved one holding the default text."""
    saved = CircularTemplate.objects.filter(level=level).first()
    return saved or CircularTemplate(level=level, **defaults(level))


def check_placeholders(text: str) -> None:
    """CircularError naming the first unknown or malformed placeholder."""
    try:
        fields = [name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise CircularError(_("A brace { or } is not closed. Write {{ or }} for a brace itself.")) from error
    for name in fields:
        if name not in PLACEHOLDERS:
            raise CircularError(
                _("Unknown placeholder {%(name)s}. Use only: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
            )


def fill(text: str, values: dict[str, str], digits: bool) -> str:
    """The template text with its placeholders filled; Thai digits (when on) in the template's own words, the
    values coming already formatted (the web address always in Arabic digits)."""
    check_placeholders(text)
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(text):
        out.append(thai_digits(literal, force=digits))
        if name is not None:
            out.append(values[name])
    return "".join(out)


@dataclass
class Sender:
    level: str
    office: str
    address: str
    area: str  # the province or district the letter is sent within ("" for the nation)
    province: Province | None = None
    district: District | None = None


def sender_for(level: str, code: str | None, user=None) -> Sender:
    """The office that sends the circular of `level`. With a user, only one who manages that office (else 404)."""
    with translation.override("th"):
        if level == CircularLevel.PROVINCE:
            if user is not None and not user.is_national_admin:
                raise Http404
            return Sender(
                level,
                _("Department of Local Administration"),
                _("Nakhon Ratchasima Road, Dusit, Bangkok 10300"),
                "",
            )
        if level == CircularLevel.DISTRICT:
            if user is not None:
                province = managed_province(user, code or "")
            else:
                province = Province.objects.filter(code=code or "").first()
            if province is None:
                raise CircularError(_("No province with this code."))
            return Sender(
                level,
                _("Provincial Hall of %(name)s") % {"name": province.name_th},
                _("%(name)s Province") % {"name": province.name_th},
                province.name_th,
                province=province,
            )
        if level == CircularLevel.LAO:
            if user is not None:
                district = managed_district(user, code or "")
            else:
                district = District.objects.select_related("province").filter(code=code or "").first()
            if district is None:
                raise CircularError(_("No district with this code."))
            return Sender(
                level,
                _("District Office of %(name)s") % {"name": district.name_th},
                _("%(district)s District, %(province)s Province")
                % {"district": district.name_th, "province": district.province.name_th},
                district.name_th,
                province=district.province,
                district=district,
            )
    raise Http404


def public_url(round_: AssessmentRound) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('progress:public', args=[round_.pk])}"


def letter(round_: AssessmentRound, sender: Sender, template: CircularTemplate, digits: bool) -> dict:
    """The parts of the letter, filled and ready to lay out (the page's preview and the PDF share them)."""
    people = coordinators(sender.province) if sender.province else []
    coordinator = ", ".join(" ".join(filter(None, [p.name, p.phone])) for p in people)
    values = {
        "round": thai_digits(round_.name, force=digits),
        "fiscal_year": thai_digits(round_.fiscal_year, force=digits),  # stored in the Buddhist era
        "opens": format_date(round_.opens_on, digits=digits),
        "closes": format_date(round_.closes_on, digits=digits),
        "url": public_url(round_),
        "area": sender.area,
        "sender": sender.office,
        "coordinator": thai_digits(coordinator, force=digits) if coordinator else "-",
    }
    parts = {name: fill(getattr(template, name) or "", values, digits) for name in TEXT_FIELDS}
    return {
        **parts,
        "paragraphs": [p.strip() for p in parts["body"].split("\n\n") if p.strip()],
        "reference_lines": [line for line in parts["references"].splitlines() if line.strip()],
        "enclosure_lines": [line for line in parts["enclosures"].splitlines() if line.strip()],
        "contact_lines": [line for line in parts["contact"].splitlines() if line.strip()],
        "office": sender.office,
        "address": thai_digits(sender.address, force=digits),
        "date": format_date(timezone.localdate(), digits=digits),
        "url": values["url"],
        "qr": qr_svg(values["url"]),
    }


def circular_document(round_: AssessmentRound, sender: Sender, template: CircularTemplate, digits: bool):
    return thai_pdf_document(
        "notices/circular_pdf.html", {"round": round_, "letter": letter(round_, sender, template, digits)}
    )


def circular_pdf(round_: AssessmentRound, sender: Sender, template: CircularTemplate, digits: bool) -> bytes:
    return circular_document(round_, sender, template, digits).write_pdf()
