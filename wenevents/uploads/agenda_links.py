"""The uploads' answers about the agenda: files presented at an agenda item."""

from sqlalchemy import func, select

from wenevents.extensions import db
from wenevents.uploads.models import Document


def files_of_items(_meeting, item_ids):
    """How many files hang on these agenda items (signals.agenda_item_files)."""
    return db.session.scalar(
        select(func.count(Document.id)).where(Document.agenda_item_id.in_(item_ids))
    )
