"""What a file is for, and finding a meeting's slots.

A *target* is what a file is for: a presentation's slides, a network's information sheet,
or one of the meeting's documents. Each target has one slot (``Document``) per language,
made on its first upload; the slot's files are its versions, newest current.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents import languages, storage
from wenevents.agenda.models import PRESENTATION, AgendaItem, Session
from wenevents.extensions import db
from wenevents.i18n import lazy_gettext as _l
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.text import to_id
from wenevents.uploads.models import (
    LANGUAGES,
    ORGANISERS,
    PARTICIPANTS,
    PUBLIC,
    Document,
    DocumentVersion,
)
from wenevents.uploads.streaming import materials_folder

SLIDES, SHEET = "slides", "information_sheet"
MEETING_KINDS = ("report", "agenda", "press_release", "participants_list", "other")
KIND_LABELS = {
    "report": _l("Report of the meeting"),
    "agenda": _l("Agenda of the meeting"),
    "press_release": _l("Press release"),
    "participants_list": _l("List of participants"),
    "other": _l("Other document"),
    SHEET: _l("Information sheet"),
    SLIDES: _l("Slides"),
}
LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}
ACCESS_LABELS = {
    PUBLIC: _l("Everyone"),
    PARTICIPANTS: _l("Participants (focal points, approved delegates)"),
    ORGANISERS: _l("Organisers only"),
}


@dataclass
class Target:
    """What a file is for. ``ref`` names it in URLs: ``slides-12``, ``sheet-5``, ``report``."""

    meeting: Meeting
    kind: str
    item: AgendaItem | None = None
    network: Network | None = None

    @property
    def ref(self):
        if self.kind == SLIDES:
            return f"slides-{self.item.id}"
        if self.kind == SHEET:
            return f"sheet-{self.network.id}"
        return self.kind

    @property
    def title(self):
        if self.kind == SLIDES:
            by = f" ({self.network.acronym})" if self.network else ""
            return f"{self.item.title}{by}"
        if self.kind == SHEET:
            return _("Information sheet: %(name)s", name=self.network.name)
        return str(KIND_LABELS[self.kind])

    def matches(self, document):
        if document.kind != self.kind:
            return False
        if self.kind == SLIDES:
            return document.agenda_item_id == self.item.id
        if self.kind == SHEET:
            return document.network_id == self.network.id
        return True


def target_of(document):
    """The target a slot belongs to (its item may be gone: then organisers' only)."""
    return Target(
        document.meeting,
        document.kind,
        item=document.agenda_item,
        network=document.agenda_item.network if document.agenda_item else document.network,
    )


def find_target(meeting, ref):
    """The target ``ref`` names in ``meeting``, or None."""
    ref = str(ref or "")
    if ref in MEETING_KINDS:
        return Target(meeting, ref)
    kind, _sep, number = ref.partition("-")
    number = to_id(number) if number.isdigit() else None
    if number is None:
        return None
    if kind == "slides":
        item = db.session.scalar(
            select(AgendaItem)
            .join(AgendaItem.session)
            .where(AgendaItem.id == number, Session.meeting_id == meeting.id)
            .options(joinedload(AgendaItem.network), joinedload(AgendaItem.session))
        )
        if item is None or item.kind != PRESENTATION:
            return None
        return Target(meeting, SLIDES, item=item, network=item.network)
    if kind == "sheet":
        network = next((n for n in meeting.networks if n.id == number), None)
        return Target(meeting, SHEET, network=network) if network else None
    return None


@dataclass
class Entry:
    """One target on a page: its title and its slots by language (with a file or a link)."""

    target: Target
    documents: list = field(default_factory=list)

    @property
    def ref(self):
        return self.target.ref

    def in_language(self, language):
        return next((d for d in self.documents if d.language == language), None)


def entry_of(target, documents):
    """The Entry of ``target``: its slots among ``documents``."""
    return Entry(target, by_language([d for d in documents if target.matches(d)]))


def by_language(documents):
    """Slots in the reader's language first, then in the usual order of the languages."""
    reader = languages.current()
    return sorted(
        documents, key=lambda d: (d.language != reader, LANGUAGES.index(d.language), d.id)
    )


def meeting_with_materials(acronym, published_only=True):
    """The meeting with its networks and every slot, version and uploader (4 queries)."""
    query = (
        select(Meeting)
        .where(Meeting.acronym == acronym)
        .options(
            selectinload(Meeting.networks),
            selectinload(Meeting.documents).options(
                selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by),
                joinedload(Document.network),
                joinedload(Document.agenda_item).options(
                    joinedload(AgendaItem.network), joinedload(AgendaItem.session)
                ),
            ),
        )
    )
    meeting = db.session.scalars(query).first()
    if meeting is None or (published_only and not meeting.is_published):
        return None
    return meeting


def document_of(meeting, document_id):
    """A slot of ``meeting`` with its versions and uploaders, or None."""
    return db.session.scalar(
        select(Document)
        .where(Document.id == document_id, Document.meeting_id == meeting.id)
        .options(
            selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by),
            joinedload(Document.network),
            joinedload(Document.agenda_item).options(
                joinedload(AgendaItem.network), joinedload(AgendaItem.session)
            ),
        )
    )


def file_path(version):
    return storage.path_of(version.stored_name, materials_folder())


def download_name(document, version=None):
    """The name in a download URL: the file's own, as a readable path segment."""
    version = version or document.current
    return version.original_name if version else "file"


def presentations(meeting):
    """``[(session, [slides Target of each presentation])]`` in agenda order, sessions with
    no presentation left out; the draft agenda (presenters upload before a release)."""
    sessions = db.session.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.day, Session.starts_at, Session.number)
        .options(
            selectinload(Session.items).options(
                joinedload(AgendaItem.network), joinedload(AgendaItem.session)
            )
        )
    ).all()
    result = []
    for session in sessions:
        targets = [
            Target(meeting, SLIDES, item=item, network=item.network)
            for item in session.items
            if item.kind == PRESENTATION
        ]
        if targets:
            result.append((session, targets))
    return result


def targets_of(meeting):
    """Every target of ``meeting``, in the upload page's order: meeting documents, sheets,
    then slides in agenda order (draft agenda: presenters upload before a release). Lazy:
    the agenda is read only if the first ones do not settle the question."""
    for kind in MEETING_KINDS:
        yield Target(meeting, kind)
    for network in meeting.networks:
        yield Target(meeting, SHEET, network=network)
    for _session, slides in presentations(meeting):
        yield from slides
