"""What each network has provided for a meeting (in, late or missing, per expected
language), the materials deadline and languages, and reminders to the networks."""

from dataclasses import dataclass, field
from datetime import UTC

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wenevents import mail
from wenevents.accounts.models import FOCAL_POINT, User
from wenevents.accounts.services import normalise_email
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.languages import writing_in
from wenevents.networks.models import Network
from wenevents.uploads.models import LANGUAGES
from wenevents.uploads.targets import LANGUAGE_LABELS, SHEET, Target, entry_of, presentations
from wenevents.urls import public_url

IN, LATE = "in", "late"


def _state(document):
    if document is None or document.current is None:
        return None
    return LATE if document.current.is_late else IN


def expected_languages(meeting):
    """The languages ``meeting``'s materials are expected in, in the usual order (English
    when the setting names none it knows)."""
    chosen = set((meeting.materials_languages or "").split(","))
    return [code for code in LANGUAGES if code in chosen] or ["en"]


def set_languages(meeting, languages, by):
    """Which languages the meeting's materials are expected in; audited. False: no change."""
    codes = [code for code in LANGUAGES if code in set(languages)]
    if not codes:
        raise ValueError(languages)
    before = expected_languages(meeting)
    if codes == before:
        return False
    meeting.materials_languages = ",".join(codes)
    record(
        "materials.languages",
        f"{meeting.acronym}: materials expected in {', '.join(codes)}",
        target=meeting,
        actor=by,
        before=before,
        after=codes,
    )
    return True


@dataclass
class Row:
    target: Target
    states: dict  # expected language -> IN / LATE / None
    documents: dict  # language -> Document (every language, expected or not)
    others: list = field(default_factory=list)  # files in languages not expected

    @property
    def missing(self):
        """Some expected language has no file yet."""
        return not all(self.states.values())

    @property
    def missing_languages(self):
        return [code for code, state in self.states.items() if not state]


@dataclass
class NetworkRow:
    network: Network
    sheet: Row
    slides_in: int
    slides_expected: int
    recipients: "Recipients"

    @property
    def complete(self):
        return not self.sheet.missing and self.slides_in == self.slides_expected


def _row(target, documents, languages):
    mine = {d.language: d for d in entry_of(target, documents).documents}
    others = [d for code, d in mine.items() if code not in languages and _state(d)]
    return Row(target, {lang: _state(mine.get(lang)) for lang in languages}, mine, others)


def completeness(meeting):
    """Presentations by session, and networks with their information sheets: what is in,
    late or missing, per expected language (the draft agenda: what will be presented)."""
    documents = list(meeting.documents)
    languages = expected_languages(meeting)
    by_session = []
    slides_of = {}
    for session, slides in presentations(meeting):
        rows = [_row(target, documents, languages) for target in slides]
        for row in rows:
            if row.target.item.network_id:
                slides_of.setdefault(row.target.item.network_id, []).append(row)
        by_session.append((session, rows))
    recipients = reminder_recipients_by_network(meeting.networks)
    networks = []
    for network in meeting.networks:
        mine = slides_of.get(network.id, [])
        networks.append(
            NetworkRow(
                network,
                _row(Target(meeting, SHEET, network=network), documents, languages),
                sum(1 for r in mine if not r.missing),
                len(mine),
                recipients[network.id],
            )
        )
    return by_session, networks


@dataclass
class Recipients:
    """Who a network's reminder reaches: the focal point accounts acting for it (they can
    sign in and upload), and the directory's focal points it does not reach, with why."""

    mailed: list = field(default_factory=list)  # addresses, lower-case, each once
    no_account: list = field(default_factory=list)  # FocalPoint: to invite
    other_account: list = field(default_factory=list)  # (FocalPoint, User): cannot upload


def reminder_recipients_by_network(networks):
    """``{network id: Recipients}`` in three queries, whatever the number of networks.

    A reminder asks people to sign in and upload: it goes to the enabled focal point
    accounts acting for the network. A directory address with no account (or with an
    account that does not act for the network) is listed, never mailed."""
    ids = [n.id for n in networks]
    result = {i: Recipients() for i in ids}
    if not ids:
        return result
    users = db.session.scalars(
        select(User)
        .where(User.role == FOCAL_POINT, User.is_disabled.is_(False))
        .where(User.networks.any(Network.id.in_(ids)))
        .options(selectinload(User.networks))
    ).all()
    for user in users:
        for network in user.networks:
            if network.id in result:
                result[network.id].mailed.append(normalise_email(user.email))
    for recipients in result.values():
        recipients.mailed = list(dict.fromkeys(recipients.mailed))
    directory = db.session.scalars(
        select(Network).where(Network.id.in_(ids)).options(selectinload(Network.focal_points))
    ).all()
    unreached = [
        (network.id, person, normalise_email(person.email))
        for network in directory
        for person in network.focal_points
        if person.email and normalise_email(person.email) not in result[network.id].mailed
    ]
    addresses = {address for _id, _person, address in unreached}
    accounts = {}
    if addresses:
        found = db.session.scalars(select(User).where(User.email.in_(addresses))).all()
        accounts = {normalise_email(u.email): u for u in found}
    seen = set()
    for network_id, person, address in unreached:
        if (network_id, address) in seen:
            continue
        seen.add((network_id, address))
        account = accounts.get(address)
        if account is None:
            result[network_id].no_account.append(person)
        else:
            result[network_id].other_account.append((person, account))
    return result


def reminder_preview(meeting, network):
    """What a reminder to ``network`` would say and whom it would reach:
    ``(NetworkRow, [(session, Row)] of missing slides)``; the row holds its Recipients."""
    return _preview(completeness(meeting), network)


def _preview(found, network):
    by_session, networks = found
    row = next(r for r in networks if r.network.id == network.id)
    missing_slides = [
        (session, r)
        for session, rows in by_session
        for r in rows
        if r.target.network and r.target.network.id == network.id and r.missing
    ]
    return row, missing_slides


def send_reminder(meeting, network, by):
    """Mail the network's focal point accounts what is missing; logged. Returns the
    Recipients: ``mailed`` is who got it (none: nothing is sent or logged)."""
    row, missing_slides = reminder_preview(meeting, network)
    return _remind(meeting, network, row, missing_slides, by)


def remind_all(meeting, by):
    """A reminder to every network of the meeting with something missing, in one batch
    (each mail queued, each network's reminder logged): ``[(network, Recipients)]`` of
    the networks that had something missing."""
    found = completeness(meeting)
    sent = []
    for row in found[1]:
        if not row.complete:
            network = row.network
            sent.append((network, _remind(meeting, network, *_preview(found, network), by)))
    return sent


def _remind(meeting, network, row, missing_slides, by):
    recipients = row.recipients
    addresses = recipients.mailed
    if not addresses:
        return recipients
    deadline = meeting.materials_deadline
    # Each focal point reads it in the language of their account.
    language_of = dict(
        db.session.execute(
            select(func.lower(User.email), User.language).where(
                func.lower(User.email).in_(addresses)
            )
        ).all()
    )
    for address in addresses:
        with writing_in(language_of.get(address)):
            mail.queue(
                address,
                _(
                    "Materials for %(meeting)s: %(network)s",
                    meeting=meeting.tr("title"),
                    network=network.acronym,
                ),
                "materials_reminder",
                meeting=meeting,
                network=network,
                sheet_missing=row.sheet.missing,
                sheet_languages=row.sheet.missing_languages,
                missing_slides=missing_slides,
                # Which languages are missing is said only when several are expected.
                several_languages=len(row.sheet.states) > 1,
                language_labels=LANGUAGE_LABELS,
                upload_url=public_url("uploads.upload_page", acronym=meeting.acronym),
                deadline=deadline.replace(tzinfo=UTC).astimezone(meeting.tz) if deadline else None,
            )
    record(
        "materials.reminder",
        f"{meeting.acronym}: reminder to {network.acronym} ({len(addresses)} "
        f"address{'' if len(addresses) == 1 else 'es'})",
        target=network,
        actor=by,
        meeting=meeting.acronym,
        recipients=len(addresses),
        not_mailed=len(recipients.no_account) + len(recipients.other_account),
        missing_slides=len(missing_slides),
        sheet_missing=row.sheet.missing,
    )
    return recipients


def set_deadline(meeting, deadline, by):
    """The meeting's materials deadline (naive UTC, or None for none)."""
    before = meeting.materials_deadline
    meeting.materials_deadline = deadline
    record(
        "materials.deadline",
        f"{meeting.acronym}: materials deadline {deadline.isoformat() if deadline else 'none'}",
        target=meeting,
        actor=by,
        before=before.isoformat() if before else None,
        after=deadline.isoformat() if deadline else None,
    )
