"""The released schedule as a PDF to print: a title, then one page a day (ReportLab).

Fonts. ReportLab's built-in Helvetica knows only the Windows-1252 characters (it borrows
a few signs such as "−" from Symbol and draws a black box for the rest: Chinese names,
"ł", "ő"…). So DejaVu Sans is embedded (subset) when Debian's fonts-dejavu-core is at
``FONT_DIR``: it covers Latin, Greek, Cyrillic and more, and it is installed wherever
Chromium is (through fontconfig), so on CI too. Without it the PDF falls back to Helvetica.
Either way, a character the font cannot draw is replaced: by its letter without accents
when that is one the font has, else by "?", so nothing prints as a box. (Neither font has
Chinese, Japanese or Korean glyphs; the HTML schedule shows those.)
"""

import unicodedata
from datetime import UTC
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wenevents.agenda.ics import session_title
from wenevents.languages import localized
from wenevents.web import country_name, format_date_range, format_day, format_utc_offset

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
}
HELVETICA = ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
INK, MUTED = colors.HexColor("#1b2421"), colors.HexColor("#56615c")
LINE = colors.HexColor("#999999")


@lru_cache(maxsize=4)
def fonts(font_dir):
    """``(regular, bold, italic, characters)``: DejaVu Sans from ``font_dir`` if all three
    files are there, else Helvetica; ``characters`` is the set of code points it draws."""
    paths = {name: Path(font_dir) / file for name, file in DEJAVU.items()}
    if all(path.is_file() for path in paths.values()):
        try:
            for name, path in paths.items():
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
            face = pdfmetrics.getFont("DejaVuSans").face
            return (*DEJAVU, frozenset(face.charToGlyph))
        except Exception:  # noqa: S110 (an unreadable font file: fall back, as without it)
            pass
    windows_1252 = set()
    for code in range(0x20, 0x100):
        try:
            windows_1252.add(ord(bytes([code]).decode("cp1252")))
        except UnicodeDecodeError:
            continue
    return (*HELVETICA, frozenset(windows_1252))


# Letters that Unicode does not decompose into a base letter and an accent.
_NEAREST = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "−": "-"}


def printable(text, characters):
    """``text`` with every character the font lacks replaced (accents dropped, or "?")."""
    out = []
    for char in text:
        if ord(char) in characters or char in "\n\t":
            out.append(char)
            continue
        char = _NEAREST.get(char, char)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) in characters for c in base) else "?")
    return "".join(out)


class _Writer:
    """Paragraphs in one set of fonts, from plain (escaped) text."""

    def __init__(self):
        self.regular, self.bold, self.italic, self.characters = fonts(str(FONT_DIR))
        base = {"fontName": self.regular, "textColor": INK}
        self.styles = {
            "title": ParagraphStyle("title", **base, fontSize=17, leading=21, spaceAfter=4),
            "meta": ParagraphStyle("meta", **base, fontSize=9.5, leading=13),
            "note": ParagraphStyle("note", **base, fontSize=8.5, leading=11, spaceBefore=4),
            "day": ParagraphStyle(
                "day", **base, fontSize=13.5, leading=17, spaceBefore=10, spaceAfter=4
            ),
            "session": ParagraphStyle("session", **base, fontSize=10.5, leading=13.5),
            "when": ParagraphStyle("when", **base, fontSize=9, leading=12),
            "item": ParagraphStyle("item", **base, fontSize=8.8, leading=11),
            "footer": ParagraphStyle("footer", **base, fontSize=7.2, leading=9),
        }
        self.styles["when"].textColor = MUTED
        self.styles["footer"].textColor = MUTED

    def text(self, value):
        return escape(printable(value or "", self.characters))

    def bold_text(self, value):
        return f'<font name="{self.bold}">{self.text(value)}</font>'

    def italic_text(self, value):
        return f'<font name="{self.italic}">{self.text(value)}</font>'

    def para(self, markup, style):
        return Paragraph(markup, self.styles[style])


def _clock(entry):
    return f"{entry.starts_at:%H:%M}–{entry.ends_at:%H:%M}"


def _session_block(w, meeting, session):
    """A session: its heading, time and room, chair, and its items as a table."""
    tz = meeting.tz
    offset = format_utc_offset(session.day, tz)
    when = f"{_clock(session)} {offset}"
    if session.room:
        when += f" · {session.room}"
    flow = [w.para(w.bold_text(session_title(session)), "session"), w.para(w.text(when), "when")]
    if not session.is_public:
        flow.append(w.para(w.italic_text(_("Closed to the public.")), "item"))
        return flow
    if session.chair:
        flow.append(w.para(w.text(_("Chair: %(names)s", names=session.chair)), "when"))
    rows = []
    for item in session.items:
        title = localized(item, "title")
        line = w.bold_text(title) if item.kind == "presentation" else w.italic_text(title)
        if item.network:
            line += " · " + w.text(item.network.acronym)
        if item.presenters:
            line += " · " + w.text(item.presenters)
        clock = w.text(_clock(item)) if item.duration_minutes else ""
        rows.append([w.para(clock, "item"), w.para(line, "item")])
    if rows:
        table = Table(rows, colWidths=[24 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        flow.append(table)
    return flow


def schedule_pdf(meeting, release, days):
    """The schedule of ``days`` (``[(day, [sessions])]``) as PDF bytes.

    Page one opens with the meeting (title, dates, place, time zone); each day starts a
    page. Every page's footer carries the presenters' disclaimer and the release.
    """
    w = _Writer()
    place = ", ".join(
        p
        for p in (localized(meeting, "venue"), meeting.city, country_name(meeting.country_code))
        if p
    )
    zone = _("All times are local time: %(zone)s (%(offset)s).", zone=meeting.timezone,
             offset=format_utc_offset(meeting.start_date, meeting.tz))  # fmt: skip
    flow = [
        w.para(w.bold_text(localized(meeting, "title")), "title"),
        w.para(w.text(format_date_range(meeting.start_date, meeting.end_date)), "meta"),
        w.para(w.text(place), "meta"),
        w.para(w.text(zone), "meta"),
    ]
    if meeting.is_demo:
        flow.append(
            w.para(
                w.italic_text(
                    _(
                        "Demo data: times, rooms, the venue and which network presents in "
                        "which session are invented for this demonstration."
                    )
                ),
                "note",
            )
        )
    for n, (day, sessions) in enumerate(days):
        if n:
            flow.append(PageBreak())
        flow.append(w.para(w.bold_text(format_day(day)), "day"))
        if not sessions:
            flow.append(w.para(w.text(_("No sessions on this day.")), "meta"))
        for session in sessions:
            flow.append(KeepTogether([*_session_block(w, meeting, session), Spacer(0, 7)]))

    published = release.created_at.replace(tzinfo=UTC).astimezone(meeting.tz)
    footer_release = _(
        "Release %(number)s, published %(date)s at %(time)s (%(zone)s)",
        number=release.number,
        date=format_date_range(published.date(), published.date()),
        time=published.strftime("%H:%M"),
        zone=meeting.timezone,
    )
    disclaimer = localized(meeting, "disclaimer")

    def footer(canvas, doc):
        canvas.saveState()
        width = doc.width
        y = 10 * mm
        line = w.para(w.text(f"{footer_release} · {_('Page %(n)s', n=doc.page)}"), "footer")
        _width, height = line.wrap(width, 20 * mm)
        line.drawOn(canvas, doc.leftMargin, y)
        if disclaimer:
            note = w.para(w.italic_text(disclaimer), "footer")
            _width, note_height = note.wrap(width, 20 * mm)
            note.drawOn(canvas, doc.leftMargin, y + height + 1.5 * mm)
            top = y + height + note_height + 3 * mm
        else:
            top = y + height + 2 * mm
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.4)
        canvas.line(doc.leftMargin, top, doc.leftMargin + width, top)
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=28 * mm,
        title=printable(f"{localized(meeting, 'title')}: {_('Schedule')}", w.characters),
        author="wenevents",
        creator="wenevents",
        lang=str(_locale()),
        # The same release gives the same bytes (no creation date or random ids).
        invariant=True,
    )
    document.build(flow, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _locale():
    from flask_babel import get_locale

    return (get_locale() or "en").language
