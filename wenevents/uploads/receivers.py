"""What uploads answer to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import ngettext
from sqlalchemy import func, select

from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.signals import Untranslated
from wenevents.uploads.models import Document, DocumentVersion
from wenevents.uploads.rules import may_upload_in, viewer_for
from wenevents.uploads.targets import LANGUAGE_LABELS, SLIDES


def meeting_delete_blockers(meeting, **_kwargs):
    """A meeting with uploaded files has been given something."""
    count = db.session.scalar(
        select(func.count(DocumentVersion.id))
        .join(DocumentVersion.document)
        .where(Document.meeting_id == meeting.id)
    )
    if not count:
        return []
    return [ngettext("It has %(num)d uploaded file.", "It has %(num)d uploaded files.", count)]


def network_delete_blockers(network, **_kwargs):
    """A network with documents (slots or uploads) stays for them."""
    count = db.session.scalar(
        select(func.count(Document.id)).where(Document.network_id == network.id)
    )
    if not count:
        return []
    return [
        ngettext(
            "It has %(num)d document or upload (an information sheet, slides).",
            "It has %(num)d documents or uploads (information sheets, slides).",
            count,
        )
    ]


def network_history(network, **_kwargs):
    """The network's documents (information sheets) in published meetings, by meeting."""
    sheets = db.session.scalars(
        select(Document)
        .join(Document.meeting)
        .where(Document.network_id == network.id, Meeting.status == PUBLISHED)
        .order_by(Document.language)
    ).all()
    by_meeting = {}
    for sheet in sheets:
        by_meeting.setdefault(sheet.meeting_id, []).append(sheet)
    return {"sheets": by_meeting}


def meeting_page(meeting, user=None, **_kwargs):
    """Whether the meeting's page links the person looking to the upload page."""
    if user is None or not user.is_authenticated:
        return {"may_upload": False}
    return {"may_upload": may_upload_in(user, meeting)}


def delegate_upload_network(meeting, user):
    """``signals.delegate_upload_network``: the network ``user`` may upload slides for as
    a vouched-for delegate in ``meeting``, by the uploads' own rule, or None."""
    return viewer_for(user, meeting).delegate_network


def untranslated_content(_sender, meetings=(), **_kwargs):
    """The meeting's own documents, whose titles its page shows (a network's information
    sheet and a presentation's slides are named after the network and the item), in one
    query; each links to its page, where its title is translated."""
    acronyms = {meeting.id: meeting.acronym for meeting in meetings}
    documents = db.session.scalars(
        select(Document)
        .where(
            Document.meeting_id.in_(acronyms),
            Document.network_id.is_(None),
            Document.kind != SLIDES,
        )
        .order_by(Document.meeting_id, Document.position, Document.id)
    ).all()
    entries = []
    for document in documents:
        if missing := Untranslated.missing_in(document):
            entries.append(
                Untranslated(
                    document.meeting_id,
                    "document",
                    document.title,
                    str(LANGUAGE_LABELS[document.language]),
                    missing,
                    "uploads.versions",
                    {
                        "acronym": acronyms[document.meeting_id],
                        "document_id": document.id,
                        "_anchor": "title-heading",
                    },
                )
            )
    return entries


def personal_data(user, **_kwargs):
    """The files ``user`` uploaded: what, where and when (the files themselves are the
    network's or the meeting's, on the materials pages)."""
    rows = db.session.execute(
        select(DocumentVersion, Document.title, Document.kind, Document.language, Meeting.acronym)
        .join(DocumentVersion.document)
        .join(Meeting, Document.meeting_id == Meeting.id)
        .where(DocumentVersion.uploaded_by_id == user.id)
        .order_by(DocumentVersion.uploaded_at, DocumentVersion.id)
    ).all()
    return {
        "uploads": [
            {
                "meeting": acronym,
                "document": title,
                "kind": kind,
                "language": language,
                "version": version.number,
                "name": version.original_name,
                "type": version.mimetype,
                "size": version.size,
                "sha256": version.sha256,
                "uploaded_at": version.uploaded_at.isoformat(timespec="seconds") + "Z",
                "late": version.is_late,
            }
            for version, title, kind, language, acronym in rows
        ]
    }


def account_closing(user, **_kwargs):
    """The files ``user`` uploaded stay with their meeting and network (the versions page
    then says their sender's account was removed); counted for the audit entry."""
    kept = db.session.scalar(
        select(func.count(DocumentVersion.id)).where(DocumentVersion.uploaded_by_id == user.id)
    )
    return {"uploads_kept": kept}
