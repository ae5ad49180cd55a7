"""Storing a file as a slot's newest version, restoring an earlier one, and the targets
a person may upload to (the upload page).

The file is on disk before the row that names it; new slots and version numbers of one
meeting are serialised by the meeting's lock (wenevents/locks.py).
"""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.locks import lock_meeting
from wenevents.uploads import filetypes
from wenevents.uploads.models import LANGUAGES, Document, DocumentVersion
from wenevents.uploads.quotas import over_quota
from wenevents.uploads.rules import may_upload
from wenevents.uploads.streaming import materials_folder
from wenevents.uploads.targets import MEETING_KINDS, SHEET, SLIDES, entry_of, targets_of

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
    the person sent wrong. The caller commits, before taking the next file: this one is
    on disk already, and the commit ends the meeting's lock taken here.
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
        return _identical(name, existing, existing.current)
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


def _identical(name, document, current):
    return Outcome(
        name,
        "identical",
        document,
        current,
        _("Identical to the current version (%(n)d): nothing changed.", n=current.number),
    )


def _record(target, language, kind, name, incoming, stored_name, by):
    meeting = target.meeting
    # New slots and version numbers of one meeting are serialised by the meeting's lock,
    # taken only once the file is safely on disk.
    lock_meeting(meeting.id)
    document = _slot(target, language)
    versions = list(document.versions) if document else []
    same = next((v for v in reversed(versions) if v.sha256 == incoming.sha256), None)
    if same and same is versions[-1]:
        # Uploaded at the same moment by someone else: keep the one version.
        return _identical(name, document, same)
    refusal = "" if same else over_quota(target, by, incoming.size)
    if refusal:
        return Outcome(name, "refused", message=refusal)
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
        uploader_recorded=by is not None,
        uploaded_at=now,
        is_late=bool(meeting.materials_deadline and now > meeting.materials_deadline),
        restored_from=same.number if same else None,
    )
    db.session.add(version)
    record(
        "materials.uploaded",
        f"{meeting.acronym}: {document.title} ({language}), version {version.number}",
        target=document,
        actor=by,
        version=version.number,
        size=version.size,
        sha256=version.sha256,
        late=version.is_late,
    )
    db.session.flush()
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
    """Make version ``number`` current again, as a new version naming the same file; the
    caller commits. Returns it (the current version if that is ``number``; None if there
    is no such version)."""
    lock_meeting(document.meeting_id)
    versions = list(document.versions)
    old = next((v for v in versions if v.number == number), None)
    if old is None or old is versions[-1]:
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
        uploader_recorded=True,
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
        restored=old.number,
        version=version.number,
    )
    return version


def upload_targets(meeting, viewer):
    """Every target ``viewer`` may upload to, with its slots (targets.targets_of)."""
    documents = list(meeting.documents)
    return [entry_of(t, documents) for t in targets_of(meeting) if may_upload(viewer, t)]


def entry_for(target):
    """One target's Entry, fresh from the database (after an upload)."""
    documents = db.session.scalars(
        select(Document)
        .where(Document.meeting_id == target.meeting.id, Document.kind == target.kind)
        .options(selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by))
    ).all()
    return entry_of(target, documents)
