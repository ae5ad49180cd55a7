"""Small generated files for the demo: an information sheet per network, slides for a few
presentations, and the meeting's report, agenda and press release, each a one-page PDF
that says on its face that it is a demo file. Stored the way uploads are (temporary file,
sync, rename, then the row), in the app's upload folder."""

import io
from datetime import datetime
from functools import lru_cache

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from wenevents import storage
from wenevents.agenda.models import PRESENTATION
from wenevents.extensions import db
from wenevents.uploads.filetypes import PDF
from wenevents.uploads.models import Document, DocumentVersion
from wenevents.uploads.streaming import materials_folder

# Before the deadline below: the demo's files are on time; anything uploaded now is late.
SENT = datetime(2023, 11, 10, 15, 0)
DEADLINE = datetime(2023, 11, 14, 22, 0)  # 17:00 in Panama
# Session numbers whose presentations get demo slides (NAWEG's, in session 2, too: the
# demo focal point then has a file to replace).
SLIDES_SESSIONS = (1,)
SLIDES_NETWORKS = ("naweg",)


@lru_cache(maxsize=64)
def pdf(title, subtitle, slides=False):
    """A one-page PDF marked as a demo file (the same bytes every time: invariant)."""
    buffer = io.BytesIO()
    size = landscape(A4) if slides else A4
    page = canvas.Canvas(buffer, pagesize=size, invariant=1)
    page.setTitle(f"{title} (demo file)")
    width, height = size
    page.setFillColorRGB(0.12, 0.37, 0.25)
    page.rect(0, height - 70, width, 70, fill=1, stroke=0)
    page.setFillColorRGB(1, 1, 1)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(40, height - 45, "Demo file - not a real document")
    page.setFillColorRGB(0.1, 0.14, 0.13)
    page.setFont("Helvetica-Bold", 20 if slides else 16)
    page.drawString(40, height - 130, title[:90])
    page.setFont("Helvetica", 12)
    page.drawString(40, height - 160, subtitle[:110])
    page.drawString(
        40, 60, "Generated for the wenevents demo of the 4th Global Meeting of WENs (Panama)."
    )
    page.showPage()
    page.save()
    return buffer.getvalue()


def _store(document, content, name):
    incoming = storage.Incoming(materials_folder(), len(content), name)
    try:
        incoming.write(content)
        stored = incoming.keep(PDF.extension)
    except BaseException:
        incoming.discard()
        raise
    document.versions.append(
        DocumentVersion(
            number=len(document.versions) + 1,
            stored_name=stored,
            original_name=name,
            mimetype=PDF.mimetype,
            size=incoming.size,
            sha256=incoming.sha256,
            uploaded_at=SENT,
        )
    )


def add(meeting):
    """Give the demo meeting its files (once: slots that have a file are left alone)."""
    meeting.materials_deadline = meeting.materials_deadline or DEADLINE
    for document in meeting.documents:
        if document.versions:
            continue
        if document.kind == "information_sheet" and document.network:
            content = pdf(f"Information sheet: {document.network.acronym}", document.network.name)
            _store(document, content, f"{document.network.acronym} information sheet.pdf")
        elif document.kind in ("report", "agenda", "press_release"):
            _store(document, pdf(document.title, meeting.title), f"{document.title}.pdf")
    existing = {d.agenda_item_id for d in meeting.documents if d.kind == "slides"}
    for session in meeting.sessions:
        for item in session.items:
            chosen = session.number in SLIDES_SESSIONS or (
                item.network and item.network.slug in SLIDES_NETWORKS
            )
            if item.kind != PRESENTATION or not item.network or not chosen:
                continue
            if item.id in existing:
                continue
            document = Document(
                meeting=meeting,
                kind="slides",
                title=f"{item.title} ({item.network.acronym})",
                agenda_item=item,
                position=1000 + item.position,
            )
            subtitle = f"{item.network.acronym} - Session {session.number}: {session.title}"
            _store(
                document,
                pdf(item.title, subtitle, slides=True),
                f"{item.network.acronym} slides.pdf",
            )
            db.session.add(document)
    db.session.commit()
