"""The letter as a PDF, in the delegate's language: the convener's text for the meeting
(organisers write one per language; a default serves until they do) with its
``$placeholders`` filled in, numbered and dated, with the verification code and a QR
code of the verification page's address.

``string.Template``: a placeholder is a name, never an expression, so the text an
organiser writes cannot reach any attribute of anything.
"""

from datetime import date
from io import BytesIO

# Not Jinja: str's own $-placeholders, filling plain text that the PDF then escapes.
from string import Template as PlaceholderText
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from wenevents.agenda.pdf import FONT_DIR, INK, fonts, printable
from wenevents.extensions import db
from wenevents.languages import localized, writing_in
from wenevents.letters.models import CERTIFICATE, LetterText
from wenevents.letters.services import details, shown_code
from wenevents.letters.services import printed as services_printed
from wenevents.registration.badges import draw_qr
from wenevents.urls import public_url
from wenevents.web import country_name, format_date_range, format_long_date

PLACEHOLDERS = (
    "name", "nationality", "birth_date", "passport_number", "passport_expiry",
    "consulate_city", "organisation", "meeting", "dates", "place",
)  # fmt: skip
QR_SIDE = 30 * mm


def default_text():
    """The text until organisers write their own (in the language being written)."""
    return _(
        "To the Consulate in $consulate_city\n\n"
        "The organisers of the $meeting, to be held in $place on $dates, have the pleasure "
        "to invite $name, a national of $nationality, born on $birth_date, holder of "
        "passport number $passport_number valid until $passport_expiry, of $organisation, "
        "to take part in the meeting.\n\n"
        "We would be grateful for any assistance you could extend to facilitate the issue "
        "of the visa this travel requires. This letter does not commit the organisers to "
        "any cost of travel or stay."
    )


def text_for(meeting, language):
    """The organisers' text in ``language``, or None if they wrote none."""
    row = db.session.scalar(
        db.select(LetterText).where(
            LetterText.meeting_id == meeting.id, LetterText.language == language
        )
    )
    return row.body if row is not None and row.body.strip() else None


def letter_pdf(letter):
    """The PDF of an issued letter, written from its request's sealed details."""
    letter_request = letter.request
    registration = letter_request.registration
    meeting = letter.meeting
    values = details(letter_request)
    with writing_in(letter.language):
        fill = {
            "name": values["passport_name"],
            "nationality": country_name(values["nationality"]),
            "birth_date": format_long_date(_date(values["birth_date"])),
            "passport_number": values["passport_number"],
            "passport_expiry": format_long_date(_date(values["passport_expiry"])),
            "consulate_city": values["consulate_city"],
            "organisation": registration.organisation,
            "meeting": localized(meeting, "title"),
            "dates": format_date_range(meeting.start_date, meeting.end_date),
            "place": ", ".join(p for p in (meeting.venue, meeting.city) if p),
        }
        body = PlaceholderText(
            text_for(meeting, letter.language) or default_text()
        ).safe_substitute(fill)
        verify = public_url("letters.verify_code", code=shown_code(letter.code))
        heading = localized(meeting, "title")
        number = _("Letter No. %(number)s", number=f"{meeting.acronym.upper()}-{letter.number:04d}")
        issued = format_long_date(letter.issued_at.date())
        check = _(
            "Verify this letter at %(url)s with the code %(code)s.",
            url=public_url("letters.verify"),
            code=shown_code(letter.code),
        )
    return _render(heading, number, issued, body, check, verify)


def certificate_pdf(letter):
    """The certificate of attendance of a registration checked in."""
    registration = letter.registration
    meeting = letter.meeting
    with writing_in(letter.language):
        heading = _("Certificate of attendance")
        body = _(
            "This is to certify that %(name)s, of %(organisation)s, attended the %(meeting)s, "
            "held in %(place)s on %(dates)s.",
            name=services_printed(letter)["name"],
            organisation=registration.organisation,
            meeting=localized(meeting, "title"),
            place=", ".join(p for p in (meeting.venue, meeting.city) if p),
            dates=format_date_range(meeting.start_date, meeting.end_date),
        )
        number = _(
            "Certificate No. %(number)s", number=f"{meeting.acronym.upper()}-{letter.number:04d}"
        )
        issued = format_long_date(letter.issued_at.date())
        verify = public_url("letters.verify_code", code=shown_code(letter.code))
        check = _(
            "Verify this certificate at %(url)s with the code %(code)s.",
            url=public_url("letters.verify"),
            code=shown_code(letter.code),
        )
    return _render(heading, number, issued, body, check, verify)


def document_pdf(letter):
    """The PDF of any issued document, by its kind."""
    return certificate_pdf(letter) if letter.kind == CERTIFICATE else letter_pdf(letter)


def _date(text):
    return date.fromisoformat(text)


def _render(heading, number, issued, body, check, verify):
    regular, bold, _italic, characters = fonts(str(FONT_DIR))

    def text(value):
        return escape(printable(value, characters))

    base = {"fontName": regular, "textColor": INK}
    styles = {
        "title": ParagraphStyle("title", **base, fontSize=15, leading=19, spaceAfter=6),
        "meta": ParagraphStyle("meta", **base, fontSize=9.5, leading=13),
        "body": ParagraphStyle("body", **base, fontSize=11, leading=15.5, spaceAfter=8),
        "check": ParagraphStyle("check", **base, fontSize=8.5, leading=11),
    }
    flow = [
        Paragraph(f'<font name="{bold}">{text(heading)}</font>', styles["title"]),
        Paragraph(f"{text(number)} · {text(issued)}", styles["meta"]),
        Spacer(1, 10 * mm),
    ]
    flow += [Paragraph(text(p).replace("\n", "<br/>"), styles["body"]) for p in body.split("\n\n")]

    def footer(canvas, document):
        canvas.saveState()
        draw_qr(canvas, verify, A4[0] - 20 * mm - QR_SIDE, 14 * mm, QR_SIDE)
        canvas.setFont(regular, 8.5)
        canvas.drawString(20 * mm, 20 * mm, printable(check, characters)[:140])
        canvas.restoreState()

    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=50 * mm,
        title=number,
        author="wenevents",
    )
    document.build(flow, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
