"""Reads: one registration by address, a meeting's settings and its participants list,
and for the organisers' registrations page the filtered list, its counts, the export.

Every function runs a fixed number of queries whatever the number of rows (the network of
each row comes in the same query), so a page costs the same with 5 registrations or 5,000.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import get_locale
from sqlalchemy import Select, func, literal_column, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from wenevents.accounts.services import normalise_email
from wenevents.extensions import db
from wenevents.i18n import lazy_gettext as _l
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.registration import rules
from wenevents.registration.forms import LANGUAGE_LABELS, ROLE_LABELS
from wenevents.registration.models import (
    SEAT_HOLDING,
    Registration,
    RegistrationSettings,
    RegistrationTally,
    full_name,
)
from wenevents.text import to_id
from wenevents.web import format_day

PER_PAGE = 50
MAX_TERMS = 5
NO_NETWORK = "none"  # the network filter's value for observers (no network)


@dataclass(frozen=True)
class Filters:
    """What the organiser asked for: text, the four filters and the sort (all pages)."""

    q: str = ""
    status: str = ""
    network: str = ""  # a network id, NO_NETWORK, or "" for every one
    country: str = ""
    role: str = ""
    sort: str = "created"
    dir: str = "asc"

    def args(self):
        """The non-default values, for links that keep the filter (pager, export, redirect)."""
        defaults = Filters()
        return {k: v for k, v in asdict(self).items() if v != getattr(defaults, k)}


def settings_for(meeting):
    return db.session.get(RegistrationSettings, meeting.id)


def find(meeting, email):
    """The meeting's registration with ``email``, or None."""
    return db.session.scalar(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.email == normalise_email(email)
        )
    )


def participants(meeting):
    """The participants (rules.py) with a registration who agreed to be listed, by family
    name."""
    return db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status.in_(rules.vouched_statuses()),
            Registration.consent_list.is_(True),
        )
        .options(joinedload(Registration.network))
        .order_by(func.lower(Registration.family_name), func.lower(Registration.given_name))
    ).all()


def meeting_by_acronym(acronym):
    """Any meeting (drafts too: organisers prepare them), with its networks and settings."""
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.acronym == acronym)
        .options(selectinload(Meeting.networks), joinedload(Meeting.registration_settings))
    )


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")


def _conditions(meeting_id, filters):
    """The WHERE of a meeting's registrations that match ``filters``."""
    where = [Registration.meeting_id == meeting_id]
    # Each word must appear in the name, the email address or the organisation:
    # "ana silva" finds Ana Silva, "silva unodc" Ms Silva of UNODC. SQLite's LIKE ignores
    # case already (ASCII, as its lower() does), so ILIKE's lower() on every row is skipped.
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    columns = (
        Registration.given_name,
        Registration.family_name,
        Registration.email,
        Registration.organisation,
    )
    for term in filters.q.split()[:MAX_TERMS]:
        pattern = f"%{_escape_like(term)}%"
        where.append(
            or_(
                *(
                    c.like(pattern, escape="\\") if sqlite else c.ilike(pattern, escape="\\")
                    for c in columns
                )
            )
        )
    if filters.status:
        where.append(Registration.status == filters.status)
    if filters.network == NO_NETWORK:
        where.append(Registration.network_id.is_(None))
    elif filters.network:
        where.append(Registration.network_id == to_id(filters.network))
    if filters.country:
        where.append(Registration.country_code == filters.country)
    if filters.role:
        where.append(Registration.participation_role == filters.role)
    return where


def _listed(meeting_id, filters):
    """The registrations that match, each with its network (one query), in order."""
    query = (
        select(Registration)
        .outerjoin(Network, Registration.network_id == Network.id)
        .where(*_conditions(meeting_id, filters))
        .options(contains_eager(Registration.network))
    )
    return _ordered(query, filters)


def _ordered(query: Select, filters):
    """Sorted as asked; ties broken by id, so that pages never overlap or skip a row."""
    sorts = {
        "created": [Registration.created_at],
        "name": [func.lower(Registration.family_name), func.lower(Registration.given_name)],
        "organisation": [func.lower(Registration.organisation)],
        "country": [Registration.country_code],
        "network": [func.lower(Network.acronym)],
        "status": [Registration.status],
    }
    columns = sorts.get(filters.sort, sorts["created"])
    descending = filters.dir == "desc"
    order = [c.desc() if descending else c.asc() for c in columns]
    if filters.sort == "network":
        # Observers (no network) last either way, on SQLite as on PostgreSQL.
        order = [o.nulls_last() for o in order]
    order.append(Registration.id.desc() if descending else Registration.id.asc())
    return query.order_by(*order)


class Listed(NamedTuple):
    """One row of the organisers' list: the columns it shows, read as plain values (no
    ORM objects to build: fifty of them were a third of the search's time)."""

    id: int
    given_name: str
    family_name: str
    email: str
    organisation: str
    country_code: str
    network_acronym: str | None
    participation_role: str
    status: str
    created_at: datetime

    @property
    def name(self):
        return full_name(self.given_name, self.family_name)


def search(meeting_id, filters, page=1):
    """``(the page's rows, as Listed; how many match)``: two queries, whatever the page."""
    total = db.session.scalar(
        select(func.count(Registration.id)).where(*_conditions(meeting_id, filters))
    )
    query = (
        select(
            Registration.id,
            Registration.given_name,
            Registration.family_name,
            Registration.email,
            Registration.organisation,
            Registration.country_code,
            Network.acronym.label("network_acronym"),
            Registration.participation_role,
            Registration.status,
            Registration.created_at,
        )
        .outerjoin(Network, Registration.network_id == Network.id)
        .where(*_conditions(meeting_id, filters))
    )
    rows = db.session.execute(
        _ordered(query, filters).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    # By name, not position: a column out of Listed's order cannot swap two texts.
    return [Listed(**row._mapping) for row in rows], total


def on_page(meeting_id, ids):
    """The meeting's registrations among ``ids`` (others are ignored), oldest first."""
    if not ids:
        return []
    return db.session.scalars(
        select(Registration)
        .where(Registration.meeting_id == meeting_id, Registration.id.in_(ids))
        .order_by(Registration.created_at, Registration.id)
    ).all()


def detail(meeting_id, registration_id):
    """One registration of the meeting with its network, account and history, or None."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.meeting_id == meeting_id, Registration.id == registration_id)
        .options(
            joinedload(Registration.network),
            joinedload(Registration.user),
            selectinload(Registration.events),
        )
    )


@dataclass
class Counts:
    """A meeting's registrations by status, and by network with the seats each holds; and
    the counts kept of registrations whose personal data was removed (retention.py)."""

    by_status: dict  # status -> n
    by_network: list  # [(network or None, registrations, seats held)], in the meeting's order
    total: int
    kept: dict = field(default_factory=dict)  # (status, network_id) -> n
    networks: dict = field(default_factory=dict)  # network_id -> network, of both


def counts(meeting):
    """Counts for the whole meeting (not the filter): one query, the GROUP BY of its
    registrations and of the counts kept of removed ones."""
    live = (
        select(Registration.status, Registration.network_id, func.count(), literal_column("0"))
        .where(Registration.meeting_id == meeting.id)
        .group_by(Registration.status, Registration.network_id)
    )
    kept_rows = (
        select(
            RegistrationTally.status,
            RegistrationTally.network_id,
            func.sum(RegistrationTally.count),
            literal_column("1"),
        )
        .where(RegistrationTally.meeting_id == meeting.id)
        .group_by(RegistrationTally.status, RegistrationTally.network_id)
    )
    rows = db.session.execute(union_all(live, kept_rows)).all()
    by_status, registered, seats, kept = {}, {}, {}, {}
    for status, network_id, n, is_kept in rows:
        if is_kept:
            kept[(status, network_id)] = int(n)
            continue
        by_status[status] = by_status.get(status, 0) + n
        registered[network_id] = registered.get(network_id, 0) + n
        if status in SEAT_HOLDING:
            seats[network_id] = seats.get(network_id, 0) + n
    by_network = [(n, registered.get(n.id, 0), seats.get(n.id, 0)) for n in meeting.networks]
    networks = {n.id: n for n in meeting.networks}
    # A network taken off the meeting after people registered for it still counts here.
    stray = [i for i in {*registered, *(i for _s, i in kept)} if i and i not in networks]
    if stray:
        extra = db.session.scalars(select(Network).where(Network.id.in_(stray))).all()
        networks.update((n.id, n) for n in extra)
        by_network += [
            (n, registered[n.id], seats.get(n.id, 0)) for n in extra if n.id in registered
        ]
    by_network.append((None, registered.get(None, 0), seats.get(None, 0)))
    return Counts(by_status, by_network, sum(by_status.values()), kept, networks)


def countries(meeting_id):
    """The country codes the meeting's registrations come from (for the filter)."""
    return db.session.scalars(
        select(Registration.country_code)
        .where(Registration.meeting_id == meeting_id)
        .distinct()
        .order_by(Registration.country_code)
    ).all()


def export_rows(meeting_id, filters):
    """Every registration matching ``filters`` (all pages), in the page's order."""
    return db.session.scalars(_listed(meeting_id, filters)).all()


# The export -------------------------------------------------------------------------------

STATUS_LABELS = {
    "unconfirmed": _l("Unconfirmed"),
    "submitted": _l("Submitted"),
    "endorsed": _l("Endorsed"),
    "declined": _l("Declined"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "waitlisted": _l("Waiting list"),
    "withdrawn": _l("Withdrawn"),
}


def answer_value(question, value):
    """An answer as a cell or for the page: choices joined, yes/no in words, dates typed."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dict):  # a file: its name (the detail page links to it)
        return value.get("name")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if question.kind == "yes_no":
        return str(_l("Yes") if value == "yes" else _l("No"))
    if question.kind == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return value
    return value


def shown_answers(questions, registration):
    """``[(question, answer), …]``: ``registration``'s answers as a page shows them."""
    answers = registration.answers or {}
    shown = [(q, answer_value(q, answers.get(str(q.id)))) for q in questions]
    return [(q, format_day(v) if isinstance(v, date) else v) for q, v in shown]


def reference(meeting, registration):
    """The reference the delegate's confirmation shows: ``GMWEN4-00012``."""
    return f"{meeting.acronym.upper()}-{registration.id:05d}"


def export_table(meeting, filters, questions):
    """``(headers, rows)`` of every registration matching ``filters``, one column per
    field and per question of the meeting; dates stay dates."""
    headers = [
        _l("Reference"),
        _l("Status"),
        _l("Title"),
        _l("Given name"),
        _l("Family name"),
        _l("Email address"),
        _l("Organisation"),
        _l("Position"),
        _l("Country"),
        _l("Country code"),
        _l("Network"),
        _l("Participation"),
        _l("Preferred language"),
        _l("Arrival"),
        _l("Departure"),
        _l("Dietary needs"),
        _l("Accessibility needs"),
        _l("In the participants list"),
        _l("Registered (UTC)"),
        _l("Confirmed (UTC)"),
        _l("Endorsed (UTC)"),
        _l("Reason given"),
        *[q.label for q in questions],
    ]
    territories = get_locale().territories
    rows = []
    for r in export_rows(meeting.id, filters):
        rows.append(
            [
                reference(meeting, r),
                str(STATUS_LABELS[r.status]),
                r.title,
                r.given_name,
                r.family_name,
                r.email,
                r.organisation,
                r.position,
                territories.get(r.country_code, r.country_code),
                r.country_code,
                r.network.acronym if r.network else "",
                str(ROLE_LABELS.get(r.participation_role, r.participation_role)),
                str(LANGUAGE_LABELS.get(r.language, r.language)),
                r.arrival_date,
                r.departure_date,
                r.dietary,
                r.accessibility,
                str(_l("Yes") if r.consent_list else _l("No")),
                r.created_at,
                r.confirmed_at,
                r.endorsed_at,
                r.reason,
                *[answer_value(q, (r.answers or {}).get(str(q.id))) for q in questions],
            ]
        )
    return [str(h) for h in headers], rows
