"""Meetings: reads for the public pages, and the organisers' changes."""

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents import signals
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.forms import save_translations
from wenevents.meetings.models import (
    DEFAULT_RETENTION_MONTHS,
    DRAFT,
    MAX_RETENTION_MONTHS,
    MIN_RETENTION_MONTHS,
    PUBLISHED,
    Meeting,
    MeetingSeries,
)
from wenevents.networks.services import offered


def published_editions():
    """Every published edition, newest first, with its series."""
    query = (
        select(Meeting)
        .where(Meeting.status == PUBLISHED)
        .options(joinedload(Meeting.series))
        .order_by(Meeting.start_date.desc())
    )
    return db.session.scalars(query).all()


def published_meeting(acronym):
    """A published meeting with what its page shows, or None."""
    query = (
        select(Meeting)
        .where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
        .options(
            joinedload(Meeting.series),
            joinedload(Meeting.registration_settings),
            # A document's network is nearly always one of these: found without a query.
            selectinload(Meeting.networks),
            selectinload(Meeting.documents),
        )
    )
    return db.session.scalars(query).first()


def series_neighbours(meeting):
    """The published editions of the meeting's series, oldest first, and the ones either side."""
    query = (
        select(Meeting)
        .where(Meeting.series_id == meeting.series_id, Meeting.status == PUBLISHED)
        .order_by(Meeting.number)
    )
    editions = db.session.scalars(query).all()
    earlier = [m for m in editions if m.number < meeting.number]
    later = [m for m in editions if m.number > meeting.number]
    return editions, (earlier[-1] if earlier else None), (later[0] if later else None)


def series_by_slug(slug):
    return db.session.scalars(select(MeetingSeries).where(MeetingSeries.slug == slug)).first()


def series_page(slug):
    """A series and its published editions, newest first, with their documents and networks.

    Four queries, however many editions, documents and networks there are.
    """
    series = series_by_slug(slug)
    if series is None:
        return None, []
    editions = db.session.scalars(
        select(Meeting)
        .where(Meeting.series_id == series.id, Meeting.status == PUBLISHED)
        .order_by(Meeting.number.desc())
        .options(selectinload(Meeting.networks), selectinload(Meeting.documents))
    ).all()
    return series, editions


def all_series():
    return db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.name)).all()


# -- Organisers ------------------------------------------------------------------------------

ACRONYM = re.compile(r"^[a-z0-9]{4,}(-2[0-9]{3}-[a-z]+)?$")
MEETING_FIELDS = (
    "series_id", "number", "acronym", "title", "start_date", "end_date", "timezone", "venue",
    "city", "country_code", "held_alongside", "convener", "partners", "funding",
    "description", "disclaimer",
)  # fmt: skip


class MeetingError(ValueError):
    """A change refused: ``reasons`` say why."""

    def __init__(self, reasons):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__(" ".join(self.reasons))


def reserved_words():
    """The first segments of the app's own routes (``login``, ``manage``, …), read from its
    URL map, so a route added later is reserved without anyone remembering to."""
    words = set()
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            # "/series" and "/schedule.ics" alike: the segment up to any dot.
            words.add(first.split(".", 1)[0].lower())
    return words


def acronym_problem(acronym, exclude_id=None):
    """Why ``acronym`` cannot address a meeting, or None if it can."""
    if not ACRONYM.match(acronym) or len(acronym) > 40:
        return _(
            "Use at least 4 lowercase letters or digits (no spaces), such as gmwen5; a hyphen "
            "only before a year and a word, as in gmwen-2026-geneva."
        )
    if acronym in reserved_words():
        return _(
            "“%(acronym)s” is one of the site's own addresses. Choose another.", acronym=acronym
        )
    query = select(Meeting.id).where(Meeting.acronym == acronym)
    if exclude_id:
        query = query.where(Meeting.id != exclude_id)
    if db.session.scalar(query) is not None:
        return _("Another meeting has this acronym.")
    return None


def number_problem(series_id, number, exclude_id=None):
    query = select(Meeting.acronym).where(Meeting.series_id == series_id, Meeting.number == number)
    if exclude_id:
        query = query.where(Meeting.id != exclude_id)
    taken = db.session.scalar(query)
    if taken:
        return _("%(acronym)s is already edition %(number)d of this series.", acronym=taken,
                 number=number)  # fmt: skip
    return None


def all_meetings():
    """Every meeting, drafts too, by series then newest first (one query with the series)."""
    return db.session.scalars(
        select(Meeting)
        .join(Meeting.series)
        .order_by(MeetingSeries.name, Meeting.number.desc())
        .options(joinedload(Meeting.series))
    ).all()


def meeting_for_organisers(acronym):
    """Any meeting, drafts too, with its networks; or None."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.acronym == acronym)
        .options(joinedload(Meeting.series), selectinload(Meeting.networks))
    ).first()


def networks_offered(meeting=None):
    """Networks a meeting may invite: active ones, and archived ones it already has."""
    return offered(meeting.networks if meeting else ())


def networks_by_ids(ids, meeting=None):
    offered = {n.id: n for n in networks_offered(meeting)}
    return [offered[i] for i in ids if i in offered]


def save_series(series, data, by):
    """Create (``series`` None) or update a series; audited. Does not commit."""
    slug = data["slug"]
    query = select(MeetingSeries.id).where(MeetingSeries.slug == slug)
    if series is not None:
        query = query.where(MeetingSeries.id != series.id)
    if db.session.scalar(query) is not None:
        raise MeetingError(_("Another series has this web address name."))
    created = series is None
    series = series or MeetingSeries()
    series.name, series.slug = data["name"], slug
    series.description = (data.get("description") or "").strip()
    translated = save_translations(series, data)
    db.session.add(series)
    db.session.flush()
    audit.record(
        "series.create" if created else "series.update",
        series.name,
        target=series,
        actor=by,
        **({"translations": translated} if translated else {}),
    )
    return series


def save_meeting(meeting, data, networks, by):
    """Create (``meeting`` None, as a draft) or update a meeting, and the French and Spanish
    versions ``data`` has; audited. Does not commit.

    A published meeting keeps its acronym: its links are out in the world.
    """
    values = {f: data[f] for f in MEETING_FIELDS if f in data}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    if meeting is not None and meeting.is_published and values["acronym"] != meeting.acronym:
        raise MeetingError(
            _("A published meeting keeps its acronym: its links are out in the world. "
              "Unpublish it first.")
        )  # fmt: skip
    created = meeting is None
    if created:
        meeting = Meeting(status=DRAFT, **values)
        db.session.add(meeting)
        changed = sorted(values)
    else:
        changed = sorted(f for f, v in values.items() if getattr(meeting, f) != v)
        for name in changed:
            setattr(meeting, name, values[name])
    if {n.id for n in meeting.networks} != {n.id for n in networks}:
        meeting.networks = list(networks)
        changed.append("networks")
    translated = save_translations(meeting, data)
    changed += [name for name in translated if not name.startswith("privacy_notice")]
    db.session.flush()
    if created:
        audit.record("meeting.create", meeting.acronym, target=meeting, actor=by)
    elif changed:
        audit.record(
            "meeting.update", meeting.acronym, target=meeting, actor=by,
            fields=changed,
        )  # fmt: skip
    notice = [name for name in translated if name.startswith("privacy_notice")]
    _save_privacy(meeting, data, notice, by)
    return meeting


def _save_privacy(meeting, data, translated, by):
    """The retention and the privacy notice (``translated``: its versions that changed),
    each change audited on its own: they say what happens to people's data."""
    months = data.get("retention_months")
    if "retention_months" in data:
        if months is None:  # left empty: the default
            months = DEFAULT_RETENTION_MONTHS
        if not MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS:
            raise MeetingError(
                _(
                    "Give a number of months from %(min)d to %(max)d.",
                    min=MIN_RETENTION_MONTHS,
                    max=MAX_RETENTION_MONTHS,
                )
            )
        before = meeting.retention_months or DEFAULT_RETENTION_MONTHS
        meeting.retention_months = months
        if months != before:
            audit.record(
                "meeting.retention",
                f"{meeting.acronym}: {before} → {months}",
                target=meeting,
                actor=by,
                before=before,
                after=months,
            )
    fields = list(translated)
    if "privacy_notice" in data:
        text = (data["privacy_notice"] or "").strip()
        if text != (meeting.privacy_notice or ""):
            meeting.privacy_notice = text
            fields.insert(0, "privacy_notice")
    if fields:
        audit.record(
            "meeting.privacy_notice", meeting.acronym, target=meeting, actor=by, fields=fields
        )


def set_status(meeting, status, by):
    """Publish (the public sees it) or unpublish (404 to the public again). No commit."""
    if status not in (DRAFT, PUBLISHED) or meeting.status == status:
        return False
    meeting.status = status
    action = "meeting.publish" if status == PUBLISHED else "meeting.unpublish"
    audit.record(action, meeting.acronym, target=meeting, actor=by)
    return True


def delete_blockers(meeting):
    """Why the meeting cannot be deleted (empty list: it can).

    A meeting may go only while nothing of it has been seen or given: it is a draft, and
    the higher domains have nothing to keep (no agenda released, nobody registered, no
    file uploaded: each says so on ``signals.meeting_delete_blockers``). The skeleton
    (draft sessions, empty document slots, registration settings) goes with it.
    """
    reasons = []
    if meeting.is_published:
        reasons.append(_("It is published. Unpublish it first."))
    for more in signals.answers(signals.meeting_delete_blockers, meeting):
        reasons.extend(more)
    return reasons


def delete_meeting(meeting, by):
    """Delete an empty meeting, or MeetingError with the reasons. Does not commit."""
    reasons = delete_blockers(meeting)
    if reasons:
        raise MeetingError(reasons)
    audit.record("meeting.delete", meeting.acronym, target=meeting, actor=by)
    # In the database: every table that refers to a meeting deletes its rows with it (ON
    # DELETE CASCADE), so the skeleton goes without this domain knowing its tables.
    db.session.execute(sa_delete(Meeting).where(Meeting.id == meeting.id))
