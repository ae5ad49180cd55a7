"""What each person and network keeps for a meeting, against the configured quotas
(``UPLOAD_QUOTA_PER_PERSON``, ``UPLOAD_QUOTA_PER_NETWORK``; organisers are never bound)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from wenevents.agenda.models import AgendaItem
from wenevents.extensions import db
from wenevents.uploads.models import Document, DocumentVersion
from wenevents.web import megabytes


@dataclass(frozen=True)
class Space:
    """What one person or network keeps for a meeting, against its quota (None: none)."""

    label: str
    used: int
    quota: int | None


def _kept_files(meeting_id):
    """``{stored name: row}`` of the meeting's files on disk, each once, with the version
    that brought it: who sent it and the network whose slot holds it. A restore (or a
    file identical to an earlier version) shares its file and adds nothing."""
    rows = db.session.execute(
        select(
            DocumentVersion.stored_name,
            DocumentVersion.size,
            DocumentVersion.uploaded_by_id,
            func.coalesce(Document.network_id, AgendaItem.network_id).label("network_id"),
        )
        .join(Document, DocumentVersion.document_id == Document.id)
        .outerjoin(AgendaItem, Document.agenda_item_id == AgendaItem.id)
        .where(Document.meeting_id == meeting_id)
        .order_by(DocumentVersion.id)
    )
    first = {}
    for row in rows:
        first.setdefault(row.stored_name, row)
    return first


def _used(files, person_id=None, network_id=None):
    if person_id is not None:
        return sum(f.size for f in files.values() if f.uploaded_by_id == person_id)
    return sum(f.size for f in files.values() if f.network_id == network_id)


def over_quota(target, by, size):
    """Why a new file of ``size`` bytes by ``by`` would not fit its quotas, or ''.

    Read under the meeting's upload lock, so two uploads at once cannot both fit the
    last of a quota. Organisers are never refused (their files count for the network)."""
    if by is None or by.is_organiser:
        return ""
    config = current_app.config
    files = _kept_files(target.meeting.id)
    quota = config["UPLOAD_QUOTA_PER_PERSON"]
    if quota is not None and _used(files, person_id=by.id) + size > quota:
        return _(
            "This file (%(size)s) does not fit in the %(quota)s each person may keep for this "
            "meeting: your files take %(used)s. Nothing was stored. Delete earlier versions "
            "you sent (on a file's versions page), or ask the organisers.",
            size=megabytes(size),
            quota=megabytes(quota),
            used=megabytes(_used(files, person_id=by.id)),
        )
    quota = config["UPLOAD_QUOTA_PER_NETWORK"]
    network = target.network
    if network is not None and quota is not None:
        used = _used(files, network_id=network.id)
        if used + size > quota:
            return _(
                "This file (%(size)s) does not fit in the %(quota)s each network may keep "
                "for this meeting: %(network)s's files take %(used)s. Nothing was stored. "
                "Earlier versions can be deleted on a file's versions page, or ask the "
                "organisers.",
                size=megabytes(size),
                quota=megabytes(quota),
                network=network.acronym,
                used=megabytes(used),
            )
    return ""


def space(meeting, viewer):
    """What the viewer and the networks they upload for keep for ``meeting``, against
    their quotas (nothing for organisers, whom quotas do not bind)."""
    if viewer.user is None or viewer.organiser:
        return []
    config = current_app.config
    files = _kept_files(meeting.id)
    result = [
        Space(
            _("Your files"),
            _used(files, person_id=viewer.user.id),
            config["UPLOAD_QUOTA_PER_PERSON"],
        )
    ]
    ids = set(viewer.networks) | ({viewer.delegate_network} - {None})
    for network in meeting.networks:
        if network.id in ids:
            result.append(
                Space(
                    _("Files of %(network)s", network=network.acronym),
                    _used(files, network_id=network.id),
                    config["UPLOAD_QUOTA_PER_NETWORK"],
                )
            )
    return result
