"""A slot's title (the meeting page lists a document by it), and its French and Spanish
versions, set by organisers on the slot's page."""

from wenevents.audit.services import record
from wenevents.forms import save_translations


def set_title(document, data, by):
    """The slot's English title and the versions ``data`` has; audited when something
    changed, which it returns. Does not commit."""
    title = (data.get("title") or "").strip()
    changed = ["title"] if title != document.title else []
    document.title = title
    changed += save_translations(document, data)
    if changed:
        record(
            "materials.title",
            f"{document.meeting.acronym}: {title} ({document.language})",
            target=document,
            actor=by,
            fields=changed,
        )
    return bool(changed)
