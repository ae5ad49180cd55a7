"""Deleting earlier versions (one slot's, or every slot's of a meeting) and the files no
version names any more. Who may: wenevents/uploads/rules.py ``may_prune``."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wenevents import storage
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.locks import lock_meeting
from wenevents.uploads.models import Document, DocumentVersion
from wenevents.uploads.streaming import materials_folder
from wenevents.web import megabytes


@dataclass(frozen=True)
class Pruned:
    """What pruning deleted: ``names`` are the files no version names any more, to remove
    once the deletion is committed (``remove_files``)."""

    versions: int
    names: frozenset
    size: int  # bytes freed on disk

    @property
    def files(self):
        return len(self.names)


def _delete_versions(doomed):
    """Delete version rows (lock held); return the stored names no row names any more."""
    names = {v.stored_name for v in doomed}
    for version in doomed:
        db.session.delete(version)
    db.session.flush()
    still = set(
        db.session.scalars(
            select(DocumentVersion.stored_name).where(DocumentVersion.stored_name.in_(names))
        )
    )
    return names - still


def remove_files(pruned):
    """Remove the files no row names any more; call it after the commit (a crash then
    leaves an orphan for ``cleanup-uploads``, never a row naming a missing file)."""
    for name in pruned.names:
        path = storage.path_of(name, materials_folder())
        if path is not None:
            path.unlink(missing_ok=True)


def prune(document, numbers, by):
    """Delete the slot's earlier versions ``numbers`` and the files no version names any
    more; audited. Returns Pruned, or None when one of them is the current version or
    gone (nothing is deleted then). The caller commits, then calls ``remove_files``."""
    lock_meeting(document.meeting_id)
    document = db.session.scalars(
        select(Document)
        .where(Document.id == document.id)
        .options(selectinload(Document.versions))
        .execution_options(populate_existing=True)
    ).one()
    versions = {v.number: v for v in document.versions}
    numbers = sorted(set(numbers))
    if not numbers or any(n not in versions or versions[n] is document.current for n in numbers):
        return None
    doomed = [versions[n] for n in numbers]
    sizes = {v.stored_name: v.size for v in doomed}
    gone = _delete_versions(doomed)
    freed = sum(sizes[name] for name in gone)
    record(
        "materials.pruned",
        f"{document.meeting.acronym}: {document.title} ({document.language}), version"
        f"{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))} deleted",
        target=document,
        actor=by,
        versions=numbers,
        files=len(gone),
        freed=freed,
    )
    return Pruned(len(numbers), frozenset(gone), freed)


def earlier_versions(meeting):
    """``(versions, bytes on disk)`` of every earlier (not current) version of the
    meeting's slots: what pruning the whole meeting would delete and free."""
    documents = [d for d in meeting.documents if len(d.versions) > 1]
    doomed = [v for d in documents for v in d.versions[:-1]]
    current = {d.current.stored_name for d in documents}
    sizes = {v.stored_name: v.size for v in doomed if v.stored_name not in current}
    return len(doomed), sum(sizes.values())


def prune_meeting(meeting, by):
    """Delete every earlier version of every slot of ``meeting``; the current ones stay.
    One audit entry. Returns Pruned; the caller commits, then calls ``remove_files``."""
    lock_meeting(meeting.id)
    documents = db.session.scalars(
        select(Document)
        .where(Document.meeting_id == meeting.id)
        .options(selectinload(Document.versions))
        .execution_options(populate_existing=True)
    ).all()
    doomed = [v for d in documents for v in d.versions[:-1]]
    if not doomed:
        return Pruned(0, frozenset(), 0)
    sizes = {v.stored_name: v.size for v in doomed}
    gone = _delete_versions(doomed)
    freed = sum(sizes[name] for name in gone)
    record(
        "materials.pruned",
        f"{meeting.acronym}: every earlier version deleted ({len(doomed)} versions, "
        f"{megabytes(freed)})",
        target=meeting,
        actor=by,
        versions=len(doomed),
        files=len(gone),
        freed=freed,
    )
    return Pruned(len(doomed), frozenset(gone), freed)
