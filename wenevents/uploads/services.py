"""Materials: who may upload and see what, storing a new version, restoring, access,
the completeness of a meeting's materials, reminders and bulk downloads.

A *target* is what a file is for: a presentation's slides, a network's information sheet,
or one of the meeting's documents. Each target has one slot (``Document``) per language,
made on its first upload; the slot's files are its versions, newest current.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents import mail
from wenevents.accounts.models import FOCAL_POINT, User, utcnow
from wenevents.agenda import releases
from wenevents.agenda.models import PRESENTATION, AgendaItem, Session
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.networks.models import Network
from wenevents.registration.models import APPROVED, ENDORSED, Registration
from wenevents.uploads import filetypes, storage
from wenevents.uploads.models import (
    ACCESS_LEVELS,
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
    PARTICIPANTS: _l("Signed-in participants"),
    ORGANISERS: _l("Organisers only"),
}
# A delegate uploads for the network of a registration someone has vouched for.
VOUCHED = (ENDORSED, APPROVED)
# "slides_FR.pdf", "Informe (es).docx", "sheet-english.pdf": the language a name says.
_LANGUAGE_IN_NAME = re.compile(
    r"[\s_.\-(\[](en|eng|english|fr|fra|fre|french|fran[cç]ais|es|esp|spa|spanish|espa[nñ]ol)"
    r"[)\]]?\.[a-z0-9]+$",
    re.I,
)
_LANGUAGE_WORDS = {"en": "en", "eng": "en", "english": "en", "fr": "fr", "fra": "fr"}
_LANGUAGE_WORDS |= {"fre": "fr", "french": "fr", "francais": "fr", "français": "fr"}
_LANGUAGE_WORDS |= {"es": "es", "esp": "es", "spa": "es", "spanish": "es"}
_LANGUAGE_WORDS |= {"espanol": "es", "español": "es"}


class UploadRefused(ValueError):
    """A file not stored, with the reason the person sees."""


# -- Targets and who may do what ---------------------------------------------------------


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
    if not number.isdigit() or len(number) > 12:
        return None
    if kind == "slides":
        item = db.session.scalar(
            select(AgendaItem)
            .join(AgendaItem.session)
            .where(AgendaItem.id == int(number), Session.meeting_id == meeting.id)
            .options(joinedload(AgendaItem.network), joinedload(AgendaItem.session))
        )
        if item is None or item.kind != PRESENTATION:
            return None
        return Target(meeting, SLIDES, item=item, network=item.network)
    if kind == "sheet":
        network = next((n for n in meeting.networks if n.id == int(number)), None)
        return Target(meeting, SHEET, network=network) if network else None
    return None


@dataclass
class Viewer:
    """What the person looking is, for one meeting, worked out once per request."""

    user: User | None = None
    organiser: bool = False
    networks: frozenset = frozenset()  # the networks they act for as a focal point
    delegate_network: int | None = None  # their vouched-for registration's network
    participant: bool = False

    @property
    def signed_in(self):
        return self.user is not None


def viewer_for(user, meeting):
    """The Viewer for ``user`` (anonymous: an empty one) in ``meeting``."""
    if user is None or not user.is_authenticated:
        return Viewer()
    if user.is_organiser:
        return Viewer(user=user, organiser=True, participant=True)
    networks = frozenset(n.id for n in user.networks) if user.role == FOCAL_POINT else frozenset()
    registration = db.session.execute(
        select(Registration.network_id, Registration.status).where(
            Registration.meeting_id == meeting.id, Registration.user_id == user.id
        )
    ).first()
    vouched = registration is not None and registration.status in VOUCHED
    taking_part = {n.id for n in meeting.networks}
    return Viewer(
        user=user,
        networks=networks,
        delegate_network=registration.network_id if vouched else None,
        participant=(registration is not None and registration.status == APPROVED)
        or bool(networks & taking_part),
    )


def may_upload(viewer, target):
    """Organisers: everything. Slides: the presenting network's focal points and vouched
    delegates. An information sheet: the network's focal points. Meeting documents: no one
    else."""
    if viewer.organiser:
        return True
    if target.kind == SLIDES:
        network_id = target.network.id if target.network else None
        return network_id is not None and (
            network_id in viewer.networks or network_id == viewer.delegate_network
        )
    if target.kind == SHEET:
        return target.network.id in viewer.networks
    return False


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


# -- Storing a file ----------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one file: ``stored``, ``identical`` (no new version) or ``restored``
    (the same as an earlier version, which is current again)."""

    name: str
    status: str
    document: Document | None = None
    version: DocumentVersion | None = None
    message: str = ""

    @property
    def ok(self):
        return self.status in ("stored", "identical", "restored")


def language_of(name, chosen):
    """The language a file is for: ``chosen`` unless it is ``auto``; then what the name says
    (``…_fr.pdf``), else English."""
    if chosen in LANGUAGES:
        return chosen
    match = _LANGUAGE_IN_NAME.search(name or "")
    return _LANGUAGE_WORDS.get(match.group(1).lower(), "en") if match else "en"


def _lock(meeting):
    """Serialise new slots and version numbers of one meeting: BEGIN IMMEDIATE on SQLite,
    a row lock on PostgreSQL, taken only once the file is safely on disk."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        db.session.execute(
            select(Meeting.id).where(Meeting.id == meeting.id).with_for_update()
        ).first()


def _slot(target, language):
    query = select(Document).where(
        Document.meeting_id == target.meeting.id,
        Document.kind == target.kind,
        Document.language == language,
    )
    if target.kind == SLIDES:
        query = query.where(Document.agenda_item_id == target.item.id)
    elif target.kind == SHEET:
        query = query.where(Document.network_id == target.network.id)
    query = query.order_by(Document.id).options(selectinload(Document.versions))
    # Under the lock, read what is committed now, not what this session loaded before.
    return db.session.scalars(query.execution_options(populate_existing=True)).first()


def add_file(target, language, incoming, by):
    """Check ``incoming`` (a received file) and make it the slot's newest version.

    The file is synced and renamed into place before the row that names it is written;
    a refused or identical file is removed. Returns an Outcome; never raises for a file
    the person sent wrong.
    """
    config = current_app.config
    language = language_of(incoming.original_name, language)
    try:
        kind = filetypes.identify(
            incoming.path,
            incoming.head,
            config["UPLOAD_ZIP_MAX_ENTRIES"],
            config["UPLOAD_ZIP_MAX_UNPACKED"],
        )
    except filetypes.Refused as refused:
        incoming.discard()
        name = filetypes.clean_name(incoming.original_name)
        return Outcome(name, "refused", message=str(refused))
    name = filetypes.clean_name(incoming.original_name, kind)
    existing = _slot(target, language)
    if existing is not None and existing.current and existing.current.sha256 == incoming.sha256:
        incoming.discard()
        return Outcome(
            name,
            "identical",
            existing,
            existing.current,
            _(
                "Identical to the current version (%(n)d): nothing changed.",
                n=existing.current.number,
            ),
        )
    try:
        stored_name = incoming.keep(kind.extension)
    except OSError:
        incoming.discard()
        current_app.logger.exception("could not store an upload")
        return Outcome(
            name,
            "refused",
            message=_(
                "There is no room left to store this file just now. Nothing was changed; "
                "please try again later, or tell the organisers."
            ),
        )
    try:
        outcome = _record(target, language, kind, name, incoming, stored_name, by)
    except BaseException:
        db.session.rollback()
        (materials_folder() / stored_name).unlink(missing_ok=True)
        raise
    if outcome.status != "stored":
        (materials_folder() / stored_name).unlink(missing_ok=True)
    return outcome


def _record(target, language, kind, name, incoming, stored_name, by):
    meeting = target.meeting
    _lock(meeting)
    document = _slot(target, language)
    if document is None:
        document = Document(
            meeting_id=meeting.id,
            kind=target.kind,
            language=language,
            title=target.title[:300],
            agenda_item_id=target.item.id if target.item else None,
            network_id=target.network.id if target.kind == SHEET else None,
            position=_position(target),
        )
        db.session.add(document)
        db.session.flush()
    versions = list(document.versions)
    same = next((v for v in reversed(versions) if v.sha256 == incoming.sha256), None)
    now = utcnow()
    version = DocumentVersion(
        document=document,
        number=(versions[-1].number + 1) if versions else 1,
        stored_name=same.stored_name if same else stored_name,
        original_name=name,
        mimetype=kind.mimetype,
        size=incoming.size,
        sha256=incoming.sha256,
        uploaded_by_id=by.id if by else None,
        uploaded_at=now,
        is_late=bool(meeting.materials_deadline and now > meeting.materials_deadline),
        restored_from=same.number if same else None,
    )
    db.session.add(version)
    if same and same is versions[-1]:
        # Uploaded at the same moment by someone else: keep the one version.
        db.session.rollback()
        return Outcome(
            name,
            "identical",
            document,
            same,
            _("Identical to the current version (%(n)d): nothing changed.", n=same.number),
        )
    record(
        "materials.uploaded",
        f"{meeting.acronym}: {document.title} ({language}), version {version.number}",
        target=document,
        actor=by,
        commit=False,
        version=version.number,
        size=version.size,
        sha256=version.sha256,
        late=version.is_late,
    )
    db.session.commit()
    if same:
        message = _(
            "The same file as version %(old)d: it is the current version again (%(n)d).",
            old=same.number,
            n=version.number,
        )
        return Outcome(name, "restored", document, version, message)
    late = _(" It arrived after the deadline and is marked late.") if version.is_late else ""
    return Outcome(
        name, "stored", document, version, _("Stored as version %(n)d.", n=version.number) + late
    )


def _position(target):
    if target.kind in MEETING_KINDS:
        return MEETING_KINDS.index(target.kind)
    if target.kind == SHEET:
        return 100
    return 1000 + target.item.position


def restore(document, number, by):
    """Make version ``number`` current again, as a new version naming the same file."""
    _lock(document.meeting)
    versions = list(document.versions)
    old = next((v for v in versions if v.number == number), None)
    if old is None:
        db.session.rollback()
        return None
    if old is versions[-1]:
        db.session.rollback()
        return old
    version = DocumentVersion(
        document=document,
        number=versions[-1].number + 1,
        stored_name=old.stored_name,
        original_name=old.original_name,
        mimetype=old.mimetype,
        size=old.size,
        sha256=old.sha256,
        uploaded_by_id=by.id,
        uploaded_at=utcnow(),
        is_late=old.is_late,
        restored_from=old.number,
    )
    db.session.add(version)
    record(
        "materials.restored",
        f"{document.meeting.acronym}: {document.title} ({document.language}), version "
        f"{old.number} restored as {version.number}",
        target=document,
        actor=by,
        commit=False,
        restored=old.number,
        version=version.number,
    )
    db.session.commit()
    return version


def set_access(document, access, embargoed, by):
    """Who may download the slot's files; slides may wait for their session to start."""
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
        commit=False,
        before=list(before),
        after=[access, embargoed],
    )
    db.session.commit()
    return True


def set_deadline(meeting, deadline, by):
    """The meeting's materials deadline (naive UTC, or None for none)."""
    before = meeting.materials_deadline
    meeting.materials_deadline = deadline
    record(
        "materials.deadline",
        f"{meeting.acronym}: materials deadline {deadline.isoformat() if deadline else 'none'}",
        target=meeting,
        actor=by,
        commit=False,
        before=before.isoformat() if before else None,
        after=deadline.isoformat() if deadline else None,
    )
    db.session.commit()


# -- Reading ---------------------------------------------------------------------------


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


@dataclass
class SessionMaterials:
    number: int
    title: str
    entries: list


@dataclass
class MaterialsPage:
    meeting: Meeting
    viewer: Viewer
    documents: list  # Entry for each meeting document with something to show
    sheets: list  # Entry per network with a sheet to show
    sessions: list  # SessionMaterials with presentations' slides to show
    can_upload: bool

    @property
    def empty(self):
        return not (self.documents or self.sheets or self.sessions)


def _shown(document, viewer, released, now):
    return (document.current is not None or document.url) and may_see(
        viewer, document, released, now
    )


def _by_language(documents):
    return sorted(documents, key=lambda d: (LANGUAGES.index(d.language), d.id))


def materials_page(meeting, user, now=None):
    """What the materials page shows ``user``: only what they may download."""
    viewer = viewer_for(user, meeting)
    released = released_items(meeting)
    now = now or utcnow()
    shown = [d for d in meeting.documents if _shown(d, viewer, released, now)]
    documents = []
    for kind in MEETING_KINDS:
        mine = [d for d in shown if d.kind == kind]
        if mine:
            documents.append(Entry(Target(meeting, kind), _by_language(mine)))
    sheets = []
    for network in meeting.networks:
        mine = [d for d in shown if d.kind == SHEET and d.network_id == network.id]
        if mine:
            sheets.append(Entry(Target(meeting, SHEET, network=network), _by_language(mine)))
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
            Entry(target_of(ds[0]), _by_language(ds))
            for uid, ds in slides.items()
            if uid not in listed
        ]
        if rest:
            rest.sort(key=lambda e: (e.target.item.session.number, e.target.item.position))
            sessions.append(SessionMaterials(0, _("Not in the published schedule"), rest))
    can_upload = viewer.organiser or bool(viewer.networks) or viewer.delegate_network is not None
    return MaterialsPage(meeting, viewer, documents, sheets, sessions, can_upload)


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
            entries.append(Entry(target_of(documents[0]), _by_language(documents)))
        result.append(SessionMaterials(public_session.number, public_session.title, entries))
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
    for row in sorted(rows, key=lambda r: LANGUAGES.index(r.language)):
        url = url_for("uploads.download", acronym=acronym, document_id=row.id)
        label = str(LANGUAGE_LABELS[row.language])
        slide = PublicSlide(row.id, row.uid, row.language, row.embargoed, row.timezone, url, label)
        result.setdefault(row.uid, []).append(slide)
    return result


# -- The upload page ---------------------------------------------------------------------


def upload_targets(meeting, viewer):
    """Every target ``viewer`` may upload to, with its slots: meeting documents, sheets,
    then presentations in agenda order (draft agenda: presenters upload before release)."""
    documents = list(meeting.documents)
    entries = []
    if viewer.organiser:
        for kind in MEETING_KINDS:
            target = Target(meeting, kind)
            entries.append(Entry(target, _by_language([d for d in documents if target.matches(d)])))
    for network in meeting.networks:
        target = Target(meeting, SHEET, network=network)
        if may_upload(viewer, target):
            entries.append(Entry(target, _by_language([d for d in documents if target.matches(d)])))
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
    for session in sessions:
        for item in session.items:
            if item.kind != PRESENTATION:
                continue
            target = Target(meeting, SLIDES, item=item, network=item.network)
            if may_upload(viewer, target):
                mine = [d for d in documents if target.matches(d)]
                entries.append(Entry(target, _by_language(mine)))
    return entries


def entry_for(target):
    """One target's Entry, fresh from the database (after an upload)."""
    documents = db.session.scalars(
        select(Document)
        .where(Document.meeting_id == target.meeting.id, Document.kind == target.kind)
        .options(selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by))
    ).all()
    return Entry(target, _by_language([d for d in documents if target.matches(d)]))


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


# -- Completeness and reminders --------------------------------------------------------


IN, LATE = "in", "late"


def _state(document):
    if document is None or document.current is None:
        return None
    return LATE if document.current.is_late else IN


@dataclass
class Row:
    target: Target
    states: dict  # language -> IN / LATE / None
    documents: dict  # language -> Document

    @property
    def missing(self):
        return not any(self.states.values())


@dataclass
class NetworkRow:
    network: Network
    sheet: Row
    slides_in: int
    slides_expected: int
    recipients: int

    @property
    def complete(self):
        return not self.sheet.missing and self.slides_in == self.slides_expected


def _row(target, documents):
    mine = {d.language: d for d in _by_language([d for d in documents if target.matches(d)])}
    return Row(target, {lang: _state(mine.get(lang)) for lang in LANGUAGES}, mine)


def completeness(meeting):
    """Presentations by session, and networks with their information sheets: what is in,
    late or missing, per language (the draft agenda: what will be presented)."""
    documents = list(meeting.documents)
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
    by_session = []
    slides_of = {}
    for session in sessions:
        rows = []
        for item in session.items:
            if item.kind != PRESENTATION:
                continue
            row = _row(Target(meeting, SLIDES, item=item, network=item.network), documents)
            rows.append(row)
            if item.network_id:
                slides_of.setdefault(item.network_id, []).append(row)
        if rows:
            by_session.append((session, rows))
    addresses = reminder_addresses_by_network(meeting.networks)
    networks = []
    for network in meeting.networks:
        mine = slides_of.get(network.id, [])
        networks.append(
            NetworkRow(
                network,
                _row(Target(meeting, SHEET, network=network), documents),
                sum(1 for r in mine if not r.missing),
                len(mine),
                len(addresses.get(network.id, ())),
            )
        )
    return by_session, networks


def reminder_addresses_by_network(networks):
    """``{network id: [addresses]}``: the networks' focal points on record and the focal
    point accounts acting for them (two queries), lower-cased, each once."""
    ids = [n.id for n in networks]
    result = {i: [] for i in ids}
    if not ids:
        return result
    focal_points = db.session.scalars(
        select(Network).where(Network.id.in_(ids)).options(selectinload(Network.focal_points))
    ).all()
    for network in focal_points:
        for person in network.focal_points:
            if person.email:
                result[network.id].append(person.email.strip().lower())
    users = db.session.scalars(
        select(User)
        .where(User.role == FOCAL_POINT, User.is_disabled.is_(False))
        .where(User.networks.any(Network.id.in_(ids)))
        .options(selectinload(User.networks))
    ).all()
    for user in users:
        for network in user.networks:
            if network.id in result:
                result[network.id].append(user.email.lower())
    return {i: list(dict.fromkeys(addresses)) for i, addresses in result.items()}


def send_reminder(meeting, network, by):
    """Mail the network's focal points what is missing; logged. Returns how many were
    mailed (0: nobody to mail, and nothing is sent or logged)."""
    addresses = reminder_addresses_by_network([network])[network.id]
    if not addresses:
        return 0
    by_session, networks = completeness(meeting)
    row = next(r for r in networks if r.network.id == network.id)
    missing_slides = [
        (session, r)
        for session, rows in by_session
        for r in rows
        if r.target.network and r.target.network.id == network.id and r.missing
    ]
    upload_url = url_for("uploads.upload_page", acronym=meeting.acronym, _external=True)
    deadline = meeting.materials_deadline
    for address in addresses:
        mail.send(
            address,
            _(
                "Materials for %(meeting)s: %(network)s",
                meeting=meeting.title,
                network=network.acronym,
            ),
            "materials_reminder",
            after_response=True,
            meeting=meeting,
            network=network,
            sheet_missing=row.sheet.missing,
            missing_slides=missing_slides,
            upload_url=upload_url,
            deadline=deadline.replace(tzinfo=UTC).astimezone(meeting.tz) if deadline else None,
        )
    record(
        "materials.reminder",
        f"{meeting.acronym}: reminder to {network.acronym} ({len(addresses)} addresses)",
        target=network,
        actor=by,
        commit=False,
        meeting=meeting.acronym,
        recipients=len(addresses),
        missing_slides=len(missing_slides),
        sheet_missing=row.sheet.missing,
    )
    db.session.commit()
    return len(addresses)


# -- Bulk downloads ---------------------------------------------------------------------


def _part(text):
    """A safe ZIP path segment."""
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", str(text)).strip(" .")
    return text[:120] or "_"


def zip_files(page, session_number=None, network=None):
    """``[(path in the archive, path on disk, size, when)]`` of a page's visible files,
    narrowed to one session or one network; folders by part of the meeting."""
    files = []
    if session_number is None and network is None:
        for entry in page.documents:
            files += _zip_entry(_("Meeting documents"), entry)
    if session_number is None:
        for entry in page.sheets:
            if network is None or entry.target.network.id == network.id:
                files += _zip_entry(_("Information sheets"), entry)
    for session in page.sessions:
        if session_number is not None and session.number != session_number:
            continue
        folder = _("Session %(n)d", n=session.number) if session.number else session.title
        for entry in session.entries:
            if network is None or (entry.target.network and entry.target.network.id == network.id):
                files += _zip_entry(folder, entry)
    seen, unique = set(), []
    for name, path, size, when in files:
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
        seen.add(candidate)
        unique.append((candidate, path, size, when))
    return unique


def _zip_entry(folder, entry):
    result = []
    for document in entry.documents:
        version = document.current
        path = file_path(version) if version else None
        if path is None:
            continue
        label = entry.target.title
        if entry.target.kind == SLIDES and entry.target.network:
            label = f"{entry.target.network.acronym} – {entry.target.item.title}"
        elif entry.target.kind == SHEET:
            label = entry.target.network.acronym
        extension = version.original_name.rpartition(".")[2]
        name = f"{_part(folder)}/{_part(label)} ({document.language}).{extension}"
        result.append((name, path, version.size, version.uploaded_at))
    return result
