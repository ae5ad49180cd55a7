"""The API's answers, built from what the public pages read: published meetings, the
agenda's latest release (never the draft), public documents, the networks.

Each function returns a model of models.py, or None when there is nothing public there.
A list costs a fixed number of queries, whatever its length.
"""

from datetime import UTC

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wenevents.agenda import releases
from wenevents.agenda.models import Release
from wenevents.api import models
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, MeetingSeries
from wenevents.networks.models import Network
from wenevents.uploads import access, targets
from wenevents.uploads.rules import Viewer


def _page(total, page, per_page):
    return models.Pagination(
        page=page, per_page=per_page, total=total, pages=(total + per_page - 1) // per_page
    )


def _offset(page, per_page):
    return (page - 1) * per_page


def _paged(query, page, per_page):
    """``(rows of the page, pagination)`` of ``query``: two queries, whatever the page."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    rows = db.session.execute(query.limit(per_page).offset(_offset(page, per_page))).all()
    return rows, _page(db.session.scalar(counted), page, per_page)


# Series and meetings ----------------------------------------------------------------------


def _has_published():
    return select(Meeting.id).where(
        Meeting.series_id == MeetingSeries.id, Meeting.status == PUBLISHED
    )


def series_list(page, per_page):
    rows, pagination = _paged(
        select(MeetingSeries)
        .where(_has_published().exists())
        .order_by(MeetingSeries.name, MeetingSeries.id),
        page,
        per_page,
    )
    return models.SeriesList(items=[_series_summary(s) for (s,) in rows], pagination=pagination)


def series(slug):
    found = db.session.scalar(
        select(MeetingSeries).where(MeetingSeries.slug == slug, _has_published().exists())
    )
    if found is None:
        return None
    editions = db.session.scalars(
        select(Meeting)
        .where(Meeting.series_id == found.id, Meeting.status == PUBLISHED)
        .order_by(Meeting.number.desc())
    ).all()
    numbers = _release_numbers([m.id for m in editions])
    return models.Series(
        **_series_summary(found).model_dump(),
        meetings=[_meeting_summary(m, numbers.get(m.id), found.slug) for m in editions],
    )


def meeting_list(page, per_page):
    rows, pagination = _paged(
        select(Meeting, MeetingSeries.slug)
        .join(Meeting.series)
        .where(Meeting.status == PUBLISHED)
        .order_by(Meeting.start_date.desc(), Meeting.id),
        page,
        per_page,
    )
    numbers = _release_numbers([m.id for m, _slug in rows])
    return models.MeetingList(
        items=[_meeting_summary(m, numbers.get(m.id), slug) for m, slug in rows],
        pagination=pagination,
    )


def meeting(acronym):
    found = db.session.scalar(
        select(Meeting)
        .where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
        .options(selectinload(Meeting.networks), selectinload(Meeting.series))
    )
    if found is None:
        return None
    summary = _meeting_summary(found, _release_numbers([found.id]).get(found.id), found.series.slug)
    return models.Meeting(
        **summary.model_dump(),
        convener=found.convener,
        partners=found.partners,
        funding=found.funding,
        description=found.description,
        networks=[n.slug for n in found.networks],
    )


def _release_numbers(meeting_ids):
    """``{meeting id: its latest release's number}``, in one query (no snapshot read)."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Release.meeting_id, func.max(Release.number))
        .where(Release.meeting_id.in_(meeting_ids))
        .group_by(Release.meeting_id)
    )
    return dict(rows.all())


def _series_summary(series):
    return models.SeriesSummary(
        slug=series.slug,
        name=series.name,
        description=series.description,
        translations=series.translations or {},
        links=models.Links(
            html=url_for("meetings.series", slug=series.slug),
            api=url_for("api.series", slug=series.slug),
        ),
    )


def _meeting_summary(meeting, release, series_slug):
    return models.MeetingSummary(
        acronym=meeting.acronym,
        series=series_slug,
        number=meeting.number,
        title=meeting.title,
        start_date=meeting.start_date,
        end_date=meeting.end_date,
        timezone=meeting.timezone,
        venue=meeting.venue,
        city=meeting.city,
        country_code=meeting.country_code,
        held_alongside=meeting.held_alongside,
        translations=meeting.translations or {},
        release=release,
        links=models.Links(
            html=url_for("meetings.meeting", acronym=meeting.acronym),
            api=url_for("api.meeting", acronym=meeting.acronym),
        ),
    )


# The agenda, as released -------------------------------------------------------------------


def sessions(acronym, page, per_page):
    """The latest release's sessions; None before the first release."""
    found = releases.latest_release(acronym)
    if found is None:
        return None
    all_sessions = releases.sessions_of(found)
    shown = all_sessions[_offset(page, per_page) : _offset(page, per_page) + per_page]
    tz = found.meeting.tz
    return models.SessionList(
        release=found.number,
        published_at=_utc(found.created_at),
        items=[_session(acronym, s, tz) for s in shown],
        pagination=_page(len(all_sessions), page, per_page),
    )


def session(acronym, ref):
    found = releases.latest_release(acronym)
    if found is None:
        return None
    for public in releases.sessions_of(found):
        if public.ref == ref:
            return _session(acronym, public, found.meeting.tz)
    return None


def _session(acronym, public, tz):
    return models.Session(
        uid=public.uid,
        ref=public.ref,
        number=public.number,
        title=public.title,
        description=public.description,
        objectives=public.objectives,
        chairs=public.chairs,
        room=public.room,
        day=public.day,
        starts_at=public.starts_at,
        ends_at=public.ends_at,
        start=public.start(tz),
        end=public.end(tz),
        is_public=public.is_public,
        sequence=public.sequence,
        modified=_utc(public.modified),
        translations=public.translations or {},
        items=[_item(item, tz) for item in public.items],
        links=models.Links(
            html=url_for("agenda.session", acronym=acronym, ref=public.ref),
            api=url_for("api.session", acronym=acronym, ref=public.ref),
        ),
    )


def _item(item, tz):
    network = item.network
    return models.Item(
        uid=item.uid,
        kind=item.kind,
        title=item.title,
        presenters=item.presenters,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        start=item.start(tz),
        end=item.end(tz),
        network=(
            models.NetworkRef(slug=network.slug, acronym=network.acronym, name=network.name)
            if network
            else None
        ),
        sequence=item.sequence,
        translations=item.translations or {},
    )


def _utc(moment):
    # Releases note their moments in UTC without a zone: say so in the answer.
    return moment.replace(tzinfo=UTC)


# Documents ---------------------------------------------------------------------------------


def documents(acronym):
    """What the materials page shows someone not signed in: each document with its file in
    each language. None for a meeting that is not published."""
    meeting = targets.meeting_with_materials(acronym)
    if meeting is None:
        return None
    page = access.materials_page(meeting, Viewer())
    released = access.released_items(meeting)
    entries = [*page.documents, *page.sheets, *(e for s in page.sessions for e in s.entries)]
    return models.DocumentList(items=[_document(acronym, e, released) for e in entries])


def _document(acronym, entry, released):
    target = entry.target
    # A presentation's slides: named as released, never by the draft's row.
    public_item = released.get(target.item.uid) if target.item else None
    first = entry.documents[0]
    if public_item is not None:
        by = f" ({public_item.network.acronym})" if public_item.network else ""
        title = public_item.title + by
    else:
        title = first.title or str(target.title)
    return models.Document(
        kind=target.kind,
        title=title,
        network=target.network.slug if target.network else None,
        session=public_item.session.ref if public_item else None,
        item=public_item.uid if public_item else None,
        versions=[_file(acronym, d) for d in entry.documents],
    )


def _file(acronym, document):
    current = document.current
    if current is None:  # a link to elsewhere
        return models.FileVersion(
            language=document.language, url=document.url, mimetype=None, size=None, sha256=None
        )
    return models.FileVersion(
        language=document.language,
        url=url_for("uploads.download", acronym=acronym, document_id=document.id),
        mimetype=current.mimetype,
        size=current.size,
        sha256=current.sha256,
    )


# Networks ----------------------------------------------------------------------------------


def network_list(page, per_page):
    rows, pagination = _paged(
        select(Network).order_by(Network.is_archived, Network.acronym, Network.id),
        page,
        per_page,
    )
    return models.NetworkList(items=[_network_summary(n) for (n,) in rows], pagination=pagination)


def network(slug):
    found = db.session.scalar(select(Network).where(Network.slug == slug))
    if found is None:
        return None
    taken_part = db.session.scalars(
        select(Meeting.acronym)
        .where(Meeting.status == PUBLISHED, Meeting.networks.any(Network.id == found.id))
        .order_by(Meeting.start_date.desc())
    ).all()
    return models.Network(
        **_network_summary(found).model_dump(),
        description=found.description,
        member_countries=found.member_countries,
        meetings=list(taken_part),
    )


def _network_summary(network):
    return models.NetworkSummary(
        slug=network.slug,
        acronym=network.acronym,
        name=network.name,
        region=network.region,
        website=network.website,
        is_archived=network.is_archived,
        translations=network.translations or {},
        links=models.Links(
            html=url_for("networks.network", slug=network.slug),
            api=url_for("api.network", slug=network.slug),
        ),
    )
