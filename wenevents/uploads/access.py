"""Who may see and download what: released items, public files, the materials page.

Slides are public only once their presentation is released (and, if embargoed, after its
session starts); a slot's access level narrows who else sees it. Uploaders and organisers
always see what they may upload (wenevents/uploads/rules.py).
"""

from dataclasses import dataclass
from datetime import UTC

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from wenevents import languages
from wenevents.agenda import releases
from wenevents.agenda.models import AgendaItem
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.uploads.models import (
    ACCESS_LEVELS,
    LANGUAGES,
    ORGANISERS,
    PARTICIPANTS,
    PUBLIC,
    Document,
)
from wenevents.uploads.rules import Viewer, may_upload
from wenevents.uploads.targets import (
    LANGUAGE_LABELS,
    MEETING_KINDS,
    SHEET,
    SLIDES,
    Entry,
    Target,
    by_language,
    target_of,
)


def may_see(viewer, document, released, now=None):
    """Whether ``viewer`` may download ``document``'s current file.

    ``released``: ``{item uid: PublicItem}`` of the latest release; slides are public only
    once their presentation is released, and after their session starts if embargoed.
    """
    if viewer.organiser:
        return True
    if not document.meeting.is_published:
        return False
    target = target_of(document)
    if document.kind == SLIDES and target.item is None:
        return False
    if may_upload(viewer, target):
        return True
    if document.access == ORGANISERS:
        return False
    if document.access == PARTICIPANTS and not viewer.participant:
        return False
    if document.kind == SLIDES:
        public_item = released.get(target.item.uid)
        if public_item is None:
            return False
        if document.embargoed:
            starts = public_item.session.start(document.meeting.tz).astimezone(UTC)
            return (now or utcnow()) >= starts.replace(tzinfo=None)
    return True


def is_public(document, released):
    """Whether anyone at all, signed in or not, may download ``document`` now
    (``released``: as for ``may_see``)."""
    return may_see(Viewer(), document, released)


def released_items(meeting):
    """``{uid: PublicItem}`` of the latest release's public items (one query)."""
    release = releases.latest_release(meeting.acronym)
    if release is None:
        return {}
    return {
        item.uid: item
        for session in releases.sessions_of(release)
        if session.is_public
        for item in session.items
    }


@dataclass
class SessionMaterials:
    number: int  # 0: the slides not in the published schedule
    title: str
    entries: list
    ref: str = ""  # the released session's stable address


@dataclass
class MaterialsPage:
    meeting: Meeting
    viewer: Viewer
    documents: list  # Entry for each meeting document with something to show
    sheets: list  # Entry per network with a sheet to show
    sessions: list  # SessionMaterials with presentations' slides to show
    can_upload: bool
    released: bool = True  # the agenda has a release (else a past meeting shows no schedule)

    @property
    def empty(self):
        return not (self.documents or self.sheets or self.sessions)


def _shown(document, viewer, released, now):
    return (document.current is not None or document.url) and may_see(
        viewer, document, released, now
    )


def materials_page(meeting, viewer, now=None):
    """What the materials page shows ``viewer``: only what they may download."""
    released = released_items(meeting)
    now = now or utcnow()
    shown = [d for d in meeting.documents if _shown(d, viewer, released, now)]
    documents = []
    for kind in MEETING_KINDS:
        mine = [d for d in shown if d.kind == kind]
        if mine:
            documents.append(Entry(Target(meeting, kind), by_language(mine)))
    sheets = []
    for network in meeting.networks:
        mine = [d for d in shown if d.kind == SHEET and d.network_id == network.id]
        if mine:
            sheets.append(Entry(Target(meeting, SHEET, network=network), by_language(mine)))
    slides = {}
    for document in shown:
        if document.kind == SLIDES:
            slides.setdefault(document.agenda_item.uid, []).append(document)
    sessions = []
    for session in _released_sessions(meeting, released, slides):
        sessions.append(session)
    if viewer.organiser or viewer.networks or viewer.delegate_network:
        # What they uploaded but the public cannot see yet (not released, or a closed
        # session): listed apart so they can check it.
        listed = {e.target.item.uid for s in sessions for e in s.entries}
        rest = [
            Entry(target_of(ds[0]), by_language(ds))
            for uid, ds in slides.items()
            if uid not in listed
        ]
        if rest:
            rest.sort(key=lambda e: (e.target.item.session.number, e.target.item.position))
            sessions.append(SessionMaterials(0, _("Not in the published schedule"), rest))
    can_upload = viewer.organiser or bool(viewer.networks) or viewer.delegate_network is not None
    return MaterialsPage(
        meeting,
        viewer,
        documents,
        sheets,
        sessions,
        can_upload,
        released=releases.latest_release(meeting.acronym) is not None,
    )


def _released_sessions(meeting, released, slides):
    """Released sessions, in order, with the presentations that have slides to show."""
    by_session = {}
    for uid, public_item in released.items():
        if uid in slides:
            by_session.setdefault(public_item.session.uid, (public_item.session, []))[1].append(
                public_item
            )
    result = []
    for public_session, items in sorted(by_session.values(), key=lambda s: s[0].number):
        entries = []
        for public_item in sorted(items, key=lambda i: public_session.items.index(i)):
            documents = slides[public_item.uid]
            entries.append(Entry(target_of(documents[0]), by_language(documents)))
        result.append(
            SessionMaterials(
                public_session.number, public_session.title, entries, public_session.ref
            )
        )
    return result


@dataclass(frozen=True)
class PublicSlide:
    id: int
    uid: str
    language: str
    embargoed: bool
    timezone: str
    url: str
    label: str


def public_slides_by_uid(acronym):
    """``{item uid: [PublicSlide]}``: the public slides with a file of a published meeting,
    in one query (the schedule links them; embargoes are the caller's to apply)."""
    rows = db.session.execute(
        select(Document.id, Document.language, Document.embargoed, AgendaItem.uid, Meeting.timezone)
        .join(AgendaItem, Document.agenda_item_id == AgendaItem.id)
        .join(Meeting, Document.meeting_id == Meeting.id)
        .where(
            Meeting.acronym == acronym,
            Meeting.status == PUBLISHED,
            Document.kind == SLIDES,
            Document.access == PUBLIC,
            Document.current_number.is_not(None),
        )
        .order_by(Document.id)
    ).all()
    result = {}
    # The reader's language first; the others follow, each labelled with its language.
    reader = languages.current()
    for row in sorted(rows, key=lambda r: (r.language != reader, LANGUAGES.index(r.language))):
        url = url_for("uploads.download", acronym=acronym, document_id=row.id)
        label = str(LANGUAGE_LABELS[row.language])
        slide = PublicSlide(row.id, row.uid, row.language, row.embargoed, row.timezone, url, label)
        result.setdefault(row.uid, []).append(slide)
    return result


def set_access_many(documents, access, embargo, by):
    """The same change for several slots at once (each audited as a change of one slot
    is). ``access``: a level, or None to leave each as it is;
    ``embargo``: True, False, or None to leave it (slides only). Returns how many changed."""
    changed = 0
    for document in documents:
        after = access or document.access
        hidden = document.embargoed if embargo is None else embargo
        changed += set_access(document, after, hidden, by)
    return changed


def set_access(document, access, embargoed, by):
    """Who may download the slot's files; slides may wait for their session to start.
    Audited; returns whether anything changed."""
    if access not in ACCESS_LEVELS:
        raise ValueError(access)
    embargoed = bool(embargoed) and document.kind == SLIDES
    if (document.access, document.embargoed) == (access, embargoed):
        return False
    before = (document.access, document.embargoed)
    document.access, document.embargoed = access, embargoed
    record(
        "materials.access",
        f"{document.meeting.acronym}: {document.title} ({document.language}): {access}"
        + (", embargoed until its session starts" if embargoed else ""),
        target=document,
        actor=by,
        before=list(before),
        after=[access, embargoed],
    )
    return True
