"""Badges: an A4 sheet of four A6 badges per page (name, network, country, role and a QR
code), for the approved registrations an organiser picks; each printing is marked.

The QR code carries a signed token (itsdangerous, the app's secret): the meeting and the
registration, nothing personal. A badge reads as valid only with that signature, while
its registration is approved, and until the day after the meeting ends (``read_badge``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from io import BytesIO

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from wenevents.agenda.pdf import FONT_DIR, fonts, printable
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.languages import localized
from wenevents.registration.forms import ROLE_LABELS
from wenevents.registration.models import APPROVED, Registration
from wenevents.web import country_name

ALL, NETWORK, NOT_PRINTED = "all", "network", "not_printed"
CHOICES = (ALL, NETWORK, NOT_PRINTED)
_SALT = "wenevents.badge"
# A6 on A4: two across, two down, no margin lost (105 × 148.5 mm each).
WIDTH, HEIGHT = A4[0] / 2, A4[1] / 2
QR_SIZE = 38 * mm


def _signer():
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def badge_token(registration):
    """What the badge's QR code says: ``[meeting id, registration id]``, signed."""
    return _signer().dumps([registration.meeting_id, registration.id])


class BadBadge(Exception):
    """A badge that does not check in, with why (``reason``): ``tampered`` (no valid
    signature, or another meeting's), ``expired`` (the meeting is over), ``revoked`` (its
    registration is no longer approved, or gone)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def read_badge(token, meeting, now=None):
    """The approved registration a badge's token names in ``meeting``; else BadBadge."""
    try:
        meeting_id, registration_id = _signer().loads(token or "")
    except (BadSignature, ValueError, TypeError) as error:
        raise BadBadge("tampered") from error
    if meeting_id != meeting.id or not isinstance(registration_id, int):
        raise BadBadge("tampered")
    if (now or utcnow()) >= expiry(meeting):
        raise BadBadge("expired")
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.meeting_id != meeting.id:
        raise BadBadge("revoked")
    if registration.status != APPROVED:
        raise BadBadge("revoked")
    return registration


def expiry(meeting):
    """When a meeting's badges stop checking in (naive UTC): the end of the day after its
    last day, in its own zone (a late arrival at a closing dinner still gets in)."""
    end = datetime.combine(meeting.end_date + timedelta(days=2), time(0), meeting.tz)
    return end.astimezone(UTC).replace(tzinfo=None)


def chosen(meeting, which, network_id=None):
    """The approved registrations to print: every one, one network's, or those with no
    badge printed yet; by family name, in two queries."""
    query = (
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.status == APPROVED)
        .options(joinedload(Registration.network))
        .order_by(Registration.family_name, Registration.given_name, Registration.id)
    )
    if which == NETWORK:
        query = query.where(Registration.network_id == network_id)
    elif which == NOT_PRINTED:
        query = query.where(Registration.badge_printed_at.is_(None))
    return db.session.scalars(query).all()


@dataclass
class _Faces:
    regular: str
    bold: str
    characters: frozenset


def badges_pdf(meeting, registrations):
    """The sheet, four badges a page, with cutting marks; bytes."""
    regular, bold, _italic, characters = fonts(str(FONT_DIR))
    faces = _Faces(regular, bold, characters)
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Badges") + f" – {meeting.acronym}")
    canvas.setAuthor("wenevents")
    title = localized(meeting, "title")
    for n, registration in enumerate(registrations):
        if n and n % 4 == 0:
            canvas.showPage()
        if n % 4 == 0:
            _cut_marks(canvas)
        column, row = n % 2, (n % 4) // 2
        _badge(canvas, faces, title, registration, column * WIDTH, A4[1] - (row + 1) * HEIGHT)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _cut_marks(canvas):
    canvas.setStrokeGray(0.7)
    canvas.setDash(2, 3)
    canvas.line(WIDTH, 0, WIDTH, A4[1])
    canvas.line(0, HEIGHT, A4[0], HEIGHT)
    canvas.setDash()


def _fit(canvas, text, face, size, width):
    """The largest size up to ``size`` at which ``text`` fits ``width``."""
    while size > 8 and canvas.stringWidth(text, face, size) > width:
        size -= 1
    return size


def _badge(canvas, faces, title, registration, x, y):
    def text(value):
        return printable(value or "", faces.characters)

    left, inner = x + 10 * mm, WIDTH - 20 * mm
    canvas.setFillGray(0.35)
    canvas.setFont(faces.regular, 8.5)
    canvas.drawString(left, y + HEIGHT - 14 * mm, text(title)[:80])
    canvas.setFillGray(0.1)
    name = text(f"{registration.given_name} {registration.family_name}")
    size = _fit(canvas, name, faces.bold, 22, inner)
    canvas.setFont(faces.bold, size)
    canvas.drawString(left, y + HEIGHT - 34 * mm, name)
    canvas.setFont(faces.regular, 11)
    lines = [
        registration.organisation,
        country_name(registration.country_code),
        registration.network.acronym if registration.network else "",
    ]
    top = y + HEIGHT - 44 * mm
    for line in (line for line in lines if line):
        line = text(line)
        canvas.setFont(faces.regular, _fit(canvas, line, faces.regular, 11, inner))
        canvas.drawString(left, top, line)
        top -= 6 * mm
    role = text(str(ROLE_LABELS.get(registration.participation_role, "")))
    canvas.setFont(faces.bold, 12)
    canvas.drawString(left, y + 12 * mm, role.upper())
    draw_qr(canvas, badge_token(registration), x + WIDTH - 10 * mm - QR_SIZE, y + 20 * mm)


def draw_qr(canvas, text, x, y, side=QR_SIZE):
    """``text`` as a QR code (level M), ``side`` wide with its quiet zone, drawn as one
    rectangle per run of dark modules. ReportLab's widget makes a shape per module and
    tries all eight masks: 16 s for 300 badges. One fixed mask is as valid a code (the
    choice only avoids patterns some readers find harder; phones read these)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    count = code.getModuleCount()
    size = side / (count + 8)  # four modules of quiet zone each side
    canvas.setFillGray(0)
    for row in range(count):
        top = y + side - (row + 5) * size
        column = 0
        while column < count:
            if not code.isDark(row, column):
                column += 1
                continue
            start = column
            while column < count and code.isDark(row, column):
                column += 1
            left = x + (start + 4) * size
            canvas.rect(left, top, (column - start) * size, size, stroke=0, fill=1)


def mark_printed(meeting, registrations, which, by):
    """Note on each registration that its badge was printed now; one audit entry."""
    # One statement, and no new version of each registration: printing is bookkeeping,
    # an edit open elsewhere must not become stale because of it.
    db.session.execute(
        update(Registration)
        .where(Registration.id.in_([r.id for r in registrations]))
        .values(badge_printed_at=utcnow(), updated_at=Registration.updated_at)
        .execution_options(synchronize_session=False)
    )
    record(
        "registration.badges",
        f"{meeting.acronym}: {len(registrations)} badges ({which})",
        target=meeting,
        actor=by,
        count=len(registrations),
        which=which,
    )
