"""Onboarding the local governments of a round: provisioning their accounts, activation letters with QR codes,
and who has an active account. The accounts app keeps the invitations; this module knows the round (which
local governments are expected) and prints the letters.

The letter issues the codes. Codes are stored hashed, so a plain code exists only when it is issued: making a
letter issues a fresh code for every open seat it prints, and the codes of any earlier letter for the same
seats stop working (each re-issue is recorded on the invitation rows: who, when, which row replaced which).
The latest letter is the valid one; a seat already held by an active account gets no code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from localstandards.accounts import invitations, lockout
from localstandards.accounts.models import Invitation, Role, RoleMembership, User
from localstandards.assessments.models import AssessmentRound
from localstandards.core.collation import thai_sort_key
from localstandards.core.pdf import thai_pdf_document
from localstandards.registry.models import District, LocalGovernment, Province

# ---------------------------------------------------------------- who may do it


def managed_province(user: User, code: str) -> Province:
    """The province a national admin or that province's officer manages; 404 for anyone else."""
    province = Province.objects.for_user(user).filter(code=code).first()
    if province is None or not (user.is_national_admin or _holds(user, Role.PROVINCE_OFFICER, province_id=province.pk)):
        raise Http404
    return province


def managed_district(user: User, code: str) -> District:
    """A district managed by a national admin, its province's officer or its own district officer; 404 otherwise."""
    district = District.objects.for_user(user).select_related("province").filter(code=code).first()
    if district is None or not (
        user.is_national_admin
        or _holds(user, Role.PROVINCE_OFFICER, province_id=district.province_id)
        or _holds(user, Role.DISTRICT_OFFICER, district_id=district.pk)
    ):
        raise Http404
    return district


def _holds(user: User, role: str, **scope) -> bool:
    return user.is_active and any(
        m.role == role and all(getattr(m, f"{k}") == v for k, v in scope.items()) for m in user.cached_memberships
    )


# ---------------------------------------------------------------- provisioning


def expected_local_governments(
    round_: AssessmentRound, province: Province | None = None, district=None, user: User | None = None
):
    """The local governments with a return in the round (the ones expected to report), in Thai order; only those
    in `user`'s scope when a user acts (a management command, run by the operator, passes none)."""
    rows = LocalGovernment.objects.for_user(user) if user is not None else LocalGovernment.objects.all()
    rows = rows.filter(assessments__round=round_).select_related("province", "district")
    if province is not None:
        rows = rows.filter(province=province)
    if district is not None:
        rows = rows.filter(district=district)
    return sorted(
        rows, key=lambda lg: (thai_sort_key(lg.district.name_th if lg.district else ""), thai_sort_key(lg.name_th))
    )


def provision_round(round_: AssessmentRound, by: User | None, province: Province | None = None):
    """Invitations for the head and the staff of every expected local government (of one province); idempotent."""
    ids = [lg.pk for lg in expected_local_governments(round_, province, user=by)]
    return invitations.provision(ids, round_.pk, by)


# ---------------------------------------------------------------- activation letters


def activation_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('activate')}?{urlencode({'code': code})}"


def qr_svg(url: str) -> SafeString:
    """The QR code as inline SVG (segno): sharp at any print size, no image file."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=4, dark="#000", light="#fff", omitsize=False)
    return mark_safe(svg)  # noqa: S308 (segno writes the markup and escapes the URL in it)


@dataclass
class Seat:
    role: str
    role_label: str
    code: str | None  # None: an active account holds the seat
    url: str = ""
    qr: SafeString | None = None
    holder: str = ""


@dataclass
class LetterPage:
    local_government: LocalGovernment
    seats: list[Seat] = field(default_factory=list)


@dataclass
class Coordinator:
    name: str
    position: str
    phone: str
    email: str


def coordinators(province: Province) -> list[Coordinator]:
    """The provincial officers of the province, with their contacts (the coordinators printed on letters)."""
    users = User.objects.filter(
        is_active=True, memberships__role=Role.PROVINCE_OFFICER, memberships__province=province
    ).distinct()
    people = sorted(users, key=lambda u: thai_sort_key(u.get_full_name() or u.username))
    return [Coordinator(u.get_full_name() or u.username, u.position, u.phone, u.email) for u in people]


def letter_pages(
    round_: AssessmentRound,
    by: User | None,
    province: Province,
    district: District | None = None,
    only: LocalGovernment | None = None,
) -> list[LetterPage]:
    """One page per expected local government of the province (or district, or `only` that one), with freshly
    issued codes."""
    lgs = expected_local_governments(round_, province, district, user=by)
    if only is not None:
        lgs = [lg for lg in lgs if lg.pk == only.pk]
    codes = invitations.issue_codes([lg.pk for lg in lgs], by, round_.pk)
    holders = {}
    for m in RoleMembership.objects.filter(
        local_government__in=lgs, role__in=Invitation.ROLES, user__is_active=True
    ).select_related("user"):
        holders.setdefault((m.local_government_id, m.role), m.user.get_full_name() or m.user.username)
    pages = []
    for lg in lgs:
        page = LetterPage(lg)
        for role in Invitation.ROLES:
            code = codes.get((lg.pk, role))
            seat = Seat(role, str(Role(role).label), code, holder=holders.get((lg.pk, role), ""))
            if code:
                seat.url = activation_url(code)
                seat.qr = qr_svg(seat.url)
            page.seats.append(seat)
        pages.append(page)
    return pages


def activation_letters_document(
    round_: AssessmentRound,
    by: User | None,
    province: Province,
    district: District | None = None,
    only: LocalGovernment | None = None,
):
    """The activation letters (a weasyprint Document): one A4 page per local government."""
    from localstandards.core.thaidate import use_thai_digits

    context = {
        "round": round_,
        "province": province,
        "district": district,
        "pages": letter_pages(round_, by, province, district, only),
        "coordinators": coordinators(province),
        "today": timezone.localdate(),
        "site_url": settings.SITE_URL,
        "thai_digits": use_thai_digits(),
    }
    return thai_pdf_document("notices/activation_letters.html", context)


def activation_letters_pdf(
    round_: AssessmentRound,
    by: User | None,
    province: Province,
    district: District | None = None,
    only: LocalGovernment | None = None,
) -> bytes:
    """The letters as PDF. One transaction: if the PDF cannot be made, no code is re-issued (the earlier letter's
    codes keep working)."""
    with transaction.atomic():
        return activation_letters_document(round_, by, province, district, only).write_pdf()


# ---------------------------------------------------------------- who has an account


@dataclass
class SeatStatus:
    local_government: LocalGovernment
    role: str
    state: str  # "active" | "code" (a code issued and not expired) | "expired" | "invited" (no code yet) | "none"
    user: User | None = None
    invitation: Invitation | None = None
    locked: bool = False  # too many failed logins (django-axes): an officer may unlock it

    @property
    def never_logged_in(self) -> bool:
        return self.user is not None and self.user.last_login is None


STATE_LABELS = {
    "active": gettext_lazy("Active account"),
    "code": gettext_lazy("Code issued, not yet activated"),
    "expired": gettext_lazy("Code expired"),
    "invited": gettext_lazy("Invited, no code printed yet"),
    "none": gettext_lazy("No account"),
}


def local_governments_in(user: User, province: Province, district: District | None = None) -> list[LocalGovernment]:
    """The active local governments of the province (or district) that `user` may see, in Thai order."""
    rows = LocalGovernment.objects.for_user(user).active().filter(province=province).select_related("district")
    if district is not None:
        rows = rows.filter(district=district)
    return sorted(
        rows, key=lambda lg: (thai_sort_key(lg.district.name_th if lg.district else ""), thai_sort_key(lg.name_th))
    )


def seat_statuses(local_governments: list[LocalGovernment], now=None) -> list[SeatStatus]:
    """Each head and staff account of these local governments (one row per person), and each seat nobody holds
    with the state of its invitation."""
    now = now or timezone.now()
    ids = [lg.pk for lg in local_governments]
    holders: dict[tuple[int, str], list[User]] = {}
    for m in (
        RoleMembership.objects.filter(local_government_id__in=ids, role__in=Invitation.ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__pk")
    ):
        holders.setdefault((m.local_government_id, m.role), []).append(m.user)
    live = {(i.local_government_id, i.role): i for i in Invitation.objects.live().filter(local_government_id__in=ids)}
    rows = []
    for lg in local_governments:
        for role in Invitation.ROLES:
            people = holders.get((lg.pk, role), [])
            rows.extend(SeatStatus(lg, role, "active", user=u) for u in people)
            if people:
                continue
            invitation = live.get((lg.pk, role))
            if invitation is None:
                state = "none"
            elif not invitation.code_hash:
                state = "invited"
            elif invitation.expires_at and invitation.expires_at <= now:
                state = "expired"
            else:
                state = "code"
            rows.append(SeatStatus(lg, role, state, invitation=invitation))
    locked = lockout.locked_usernames(row.user.username for row in rows if row.user)
    for row in rows:
        row.locked = row.user is not None and row.user.username in locked
    return rows


def seat_table(rows: list[SeatStatus]):
    """The account list as a core.tables Table (the XLSX download)."""
    from localstandards.core.tables import Column, Table

    columns = [
        Column(_("District"), width=18),
        Column(_("Local government"), width=32),
        Column(_("DLA code"), width=10),
        Column(_("Role"), width=26),
        Column(_("Status"), width=26),
        Column(_("Name"), width=26),
        Column(_("Position"), width=22),
        Column(_("E-mail"), width=28),
        Column(_("Phone"), width=14),
        Column(_("Last login"), kind="date", width=14),
        Column(_("Never logged in"), width=10),
    ]
    table = Table("accounts", _("Accounts of the local governments"), columns)
    for row in rows:
        user = row.user
        table.rows.append(
            [
                row.local_government.district.name_th if row.local_government.district else "",
                row.local_government.full_name_th,
                row.local_government.dla_code or "",
                str(Role(row.role).label),
                str(STATE_LABELS[row.state]),
                (user.get_full_name() or user.username) if user else "",
                user.position if user else "",
                user.email if user else "",
                user.phone if user else "",
                timezone.localdate(user.last_login) if user and user.last_login else None,
                _("yes") if row.never_logged_in else "",
            ]
        )
    return table


# ---------------------------------------------------------------- access requests: the e-mail either way


def on_access_request_decided(sender, access_request, **kwargs) -> None:
    """Tell the requester the decision, in the deciding transaction (the outbox sends it after commit)."""
    from django.utils import translation

    from localstandards.accounts.models import AccessRequest
    from localstandards.notices.models import OutgoingEmail
    from localstandards.notices.outbox import queue_email

    lg = access_request.local_government
    with translation.override("th"):
        values = {"lg": lg.full_name_th, "role": Role(access_request.role).label, "site": settings.SITE_URL}
        if access_request.status == AccessRequest.Status.APPROVED:
            subject = _("Your access to %(lg)s is approved") % values
            body = (
                _(
                    "Your request for the role %(role)s of %(lg)s is approved. Log in at %(site)s with your e-mail "
                    "address and the password you chose."
                )
                % values
            )
        else:
            subject = _("Your access request for %(lg)s was refused") % values
            body = _("Your request for the role %(role)s of %(lg)s was refused.") % values
            if access_request.reason:
                body += "\n\n" + _("Reason: %(reason)s") % {"reason": access_request.reason}
    queue_email(OutgoingEmail.Kind.NOTICE, subject, body, [access_request.email])


# ---------------------------------------------------------------- the province's page


def province_section(sender, request, province: Province, **kwargs) -> str:
    """On the registry's province page, for who manages the province: the onboarding page, the activation letters
    and the circular to the districts of the latest rounds."""
    from django.template.loader import render_to_string

    try:
        managed_province(request.user, province.code)
    except Http404:
        return ""
    rounds = list(AssessmentRound.objects.order_by("-fiscal_year", "-opens_on")[:3])
    if not rounds:
        return ""
    return render_to_string(
        "notices/includes/province_section.html", {"province": province, "rounds": rounds}, request=request
    )


def on_access_requested(sender, access_request, **kwargs) -> None:
    """Tell the people who may decide a new access request (the อปท.'s heads, the district and provincial officers)."""
    from django.utils import translation

    from localstandards.accounts.access_requests import deciders
    from localstandards.notices.models import OutgoingEmail
    from localstandards.notices.outbox import queue_email

    lg = access_request.local_government
    with translation.override("th"):
        values = {
            "name": f"{access_request.first_name} {access_request.last_name}",
            "position": access_request.position,
            "lg": lg.full_name_th,
            "role": Role(access_request.role).label,
            "url": f"{settings.SITE_URL.rstrip('/')}{reverse('access-requests')}",
        }
        subject = _("Access request for %(lg)s") % values
        body = (
            _("%(name)s (%(position)s) asks for the role %(role)s of %(lg)s. Approve or refuse it at %(url)s") % values
        )
    queue_email(OutgoingEmail.Kind.NOTICE, subject, body, [u.email for u in deciders(access_request)])
