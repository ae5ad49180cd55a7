"""Uploads' part of a new edition (meetings/cloning.py): the document slots, empty.

A slot keeps its kind, title, language, network, access and place, and its agenda item
when that item was copied (the agenda's cloner runs first and leaves them in
``copied["agenda_items"]``); never a file or a link. The materials deadline keeps its
distance from the first day.
"""

from sqlalchemy import select

from wenevents.extensions import db
from wenevents.meetings.cloning import takes_part
from wenevents.uploads.models import Document


def copy_documents(source, copy, shift, parts, copied, **_kwargs):
    """Receiver of ``signals.meeting_cloned``."""
    counts = {"documents": 0, "left_out": 0}
    if not parts["copy_documents"]:
        return counts
    items = copied.get("agenda_items", {})
    documents = db.session.scalars(
        select(Document).where(Document.meeting_id == source.id).order_by(Document.position)
    ).all()
    for old in documents:
        if not takes_part(copy, old.network_id):
            counts["left_out"] += 1
            continue
        copy.documents.append(
            Document(
                kind=old.kind,
                title=old.title,
                language=old.language,
                network_id=old.network_id,
                access=old.access,
                embargoed=old.embargoed,
                position=old.position,
                agenda_item=items.get(old.agenda_item_id),
            )
        )
        counts["documents"] += 1
    if source.materials_deadline:
        copy.materials_deadline = source.materials_deadline + shift
    return counts
