"""Demo data: the 4th Global Meeting of Wildlife Enforcement Networks, from its public page.

Facts the page states are kept as it states them. What it does not give (times, rooms, the
venue, past meetings' exact dates, which network presents in which session) is invented and
the meetings are marked ``is_demo`` so the site says so. The French and Spanish versions of
its content are the project's own (translations.py), and its registrations are fictional
delegates writing in each of the three languages (registrations.py).
"""

import secrets
from datetime import date, time

from sqlalchemy import select

from wenevents.accounts.models import User
from wenevents.accounts.passwords import hash_password
from wenevents.agenda import releases
from wenevents.agenda.models import BREAK, DISCUSSION, AgendaItem, Session
from wenevents.demo import contacts as demo_contacts
from wenevents.demo import files as demo_files
from wenevents.demo import registrations as demo_registrations
from wenevents.demo import translations as demo_translations
from wenevents.extensions import db
from wenevents.meetings.models import MAX_RETENTION_MONTHS, PUBLISHED, Meeting, MeetingSeries
from wenevents.networks.models import Network
from wenevents.registration.models import Question, RegistrationSettings
from wenevents.uploads.models import Document

SERIES = {
    "slug": "gmwen",
    "name": "Global Meeting of Wildlife Enforcement Networks",
    "description": (
        "The CITES Secretariat and its partners in the International Consortium on Combating "
        "Wildlife Crime (ICCWC) convene the wildlife enforcement networks of the world in the "
        "margins of the meetings of the Conference of the Parties to CITES."
    ),
}

# (slug, acronym, full name as on the seed page, region)
NETWORKS = [
    (
        "asean-wen",
        "ASEAN-WEN",
        "Association of Southeast Asian Nations Working Group on CITES and Wildlife Enforcement "
        "(ASEAN CITES and WE)",
        "Southeast Asia",
    ),
    (
        "nicegg",
        "NICEGG",
        "China National Inter-agencies CITES Enforcement Coordination Group",
        "East Asia",
    ),
    (
        "comifac",
        "COMIFAC",
        "Commission of Central African Forests / Central Africa WEN",
        "Central Africa",
    ),
    ("eu-ewg", "EU EWG", "European Commission Enforcement Working Group", "Europe"),
    ("europol", "EUROPOL", "European Union Agency for Law Enforcement Cooperation", "Europe"),
    ("ha-wen", "HA-WEN", "Horn of Africa Wildlife Enforcement Network", "East Africa"),
    (
        "sudwen",
        "SudWEN",
        "Latin American Environmental Prosecutors Network / South America Wildlife Enforcement "
        "Network",
        "South America",
    ),
    ("latf", "LATF", "Lusaka Agreement Taskforce", "Eastern and Southern Africa"),
    ("naweg", "NAWEG", "North America Wildlife Enforcement Group", "North America"),
    (
        "roavis",
        "ROAVIS",
        "Red de Observancia y Aplicación de la Normativa Silvestre para Centroamérica y República "
        "Dominicana / Central America WEN",
        "Central America and the Caribbean",
    ),
    ("resg", "RESG", "Rhino and Elephant Security Group", "Africa"),
    ("sawen", "SAWEN", "South Asia Wildlife Enforcement Network", "South Asia"),
    (
        "rilo-ca",
        "WCO RILO CA",
        "World Customs Organization (WCO) Regional Intelligence Liaison Office for Central Africa",
        "Central Africa",
    ),
    (
        "rilo-wa",
        "WCO RILO WA",
        "World Customs Organization (WCO) Regional Intelligence Liaison Office for West Africa",
        "West Africa",
    ),
]

CONVENER = (
    "The Secretariat of the Convention on International Trade in Endangered Species of Wild "
    "Fauna and Flora (CITES)"
)
PARTNERS = "The International Consortium on Combating Wildlife Crime (ICCWC)"
DISCLAIMER = (
    "All content and materials included in the presentations is the sole responsibility of "
    "the respective presenters."
)

# Earlier editions: the seed page gives city, year and the CoP; the dates are invented.
EARLIER = [
    (1, "First", date(2013, 3, 8), "Bangkok", "TH", "Asia/Bangkok", "CITES CoP16"),
    (2, "Second", date(2016, 9, 30), "Johannesburg", "ZA", "Africa/Johannesburg", "CITES CoP17"),
    (3, "Third", date(2019, 8, 22), "Geneva", "CH", "Europe/Zurich", "CITES CoP18"),
]

FOURTH_DESCRIPTION = (
    "The Secretariat of the Convention on International Trade in Endangered Species of Wild "
    "Fauna and Flora (CITES), in cooperation with its partners from the International "
    "Consortium on Combating Wildlife Crime (ICCWC) and with generous funding support from the "
    "United States of America convened the Fourth Global Meeting of Wildlife Enforcement "
    "Networks on 21 to 22 November 2023, alongside the 19th meeting of the Conference of the "
    "Parties to CITES (CoP19), in Panama.\n\n"
    "The meeting provided a platform for further enhancing synergies between existing "
    "initiatives and regional enforcement bodies, strengthening cooperation at regional and "
    "global levels, and exploring potential activities to be pursued with the aim of further "
    "strengthening responses to wildlife crime."
)

DAY1, DAY2 = date(2023, 11, 21), date(2023, 11, 22)

# (number, title, day, start, end, chair, public, [items]); an item is a network slug for a
# presentation, or (kind, title). Titles of sessions 1-3, 5, 6 and 8 are the seed page's.
SESSIONS = [
    (
        1,
        "Outcomes from the 3rd Global meeting of WENs and activities undertaken in this regard",
        DAY1,
        time(9, 0),
        time(10, 30),
        "CITES Secretariat",
        True,
        [
            (DISCUSSION, "Welcome and opening remarks"),
            "asean-wen",
            "sawen",
            "ha-wen",
            "latf",
            (DISCUSSION, "Questions and discussion"),
        ],
    ),
    (
        2,
        "Increased collaboration and communication, both within and between networks",
        DAY1,
        time(11, 0),
        time(12, 30),
        "INTERPOL (ICCWC)",
        True,
        ["naweg", "roavis", "sudwen", "europol", (DISCUSSION, "Questions and discussion")],
    ),
    (
        3,
        "Exploring opportunities to further enhance synergies and collaboration",
        DAY1,
        time(14, 0),
        time(15, 30),
        "UNODC (ICCWC)",
        True,
        [
            "comifac",
            "resg",
            "nicegg",
            "eu-ewg",
            (BREAK, "Coffee break"),
            (DISCUSSION, "Panel discussion on synergies between networks"),
        ],
    ),
    (
        4,
        "Closed session for network representatives",
        DAY1,
        time(16, 0),
        time(17, 30),
        "CITES Secretariat",
        False,
        [(DISCUSSION, "Exchange on ongoing cases")],
    ),
    (
        5,
        "Promoting the use of existing tools and services",
        DAY2,
        time(9, 0),
        time(10, 30),
        "World Customs Organization (ICCWC)",
        True,
        ["rilo-wa", "rilo-ca", "eu-ewg", (DISCUSSION, "Questions and discussion")],
    ),
    (
        6,
        "Operational support and opportunities for WEN engagement",
        DAY2,
        time(11, 0),
        time(12, 30),
        "World Bank (ICCWC)",
        True,
        ["europol", "latf", "asean-wen", (DISCUSSION, "Questions and discussion")],
    ),
    (
        7,
        "Closed session for network representatives",
        DAY2,
        time(14, 0),
        time(15, 30),
        "CITES Secretariat",
        False,
        [(DISCUSSION, "Operational planning")],
    ),
    (
        8,
        "Identification of key wildlife crime trends and associated matters and engagement in "
        "operational activities at global/regional level",
        DAY2,
        time(16, 0),
        time(17, 30),
        "CITES Secretariat",
        True,
        ["naweg", "sawen", "ha-wen", "roavis", (DISCUSSION, "Conclusions and closing remarks")],
    ),
]

# What each network's presentation is called, by session (invented).
PRESENTATION_TITLES = {
    1: "Activities since the 3rd Global Meeting",
    2: "Communication within the network and with its neighbours",
    3: "Synergies with regional partners",
    5: "Tools and services the network uses",
    6: "Operational support: needs and offers",
    8: "Wildlife crime trends in the region",
}


def load():
    """Add whatever of the demo is missing; return True if anything was added.

    A database with the demo meeting already gets only what later versions of the demo
    added: the French and Spanish versions its content lacks, and the demo registrations.
    """
    fourth = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    if fourth is not None:
        return _complete(fourth)
    series = db.session.scalar(select(MeetingSeries).where(MeetingSeries.slug == "gmwen"))
    series = series or MeetingSeries(**SERIES)
    networks = _networks()
    for number, ordinal, day, city, country, tz, cop in EARLIER:
        if not db.session.scalar(select(Meeting).where(Meeting.acronym == f"gmwen{number}")):
            db.session.add(_earlier_meeting(series, number, ordinal, day, city, country, tz, cop))
    fourth = _fourth_meeting(series, networks)
    db.session.add(fourth)
    demo_contacts.add(networks)
    demo_contacts.add_accounts(networks)
    # Translated before the first release, so that it carries the French and Spanish too.
    demo_networks = [networks[slug] for slug, *_ in NETWORKS]
    _translate(series, fourth, demo_networks)
    demo_registrations.add(fourth, networks)
    db.session.commit()
    releases.publish(fourth, note="Demo agenda")
    db.session.commit()
    demo_files.add(fourth)
    _translate(series, fourth, demo_networks)  # the slides' titles
    db.session.commit()
    return True


def _complete(fourth):
    """Add to an existing demo what it lacks of the translations and registrations; return
    True if anything was added."""
    series = fourth.series
    networks = {n.slug: n for n in db.session.scalars(select(Network))}
    demo_networks = [networks[slug] for slug, *_ in NETWORKS if slug in networks]
    # Publish the translated agenda only if the draft was the latest release: an
    # organiser's unpublished edits are theirs to publish.
    unpublished = releases.pending_changes(fourth)[0]
    # The released agenda carries its sessions', items' and networks' versions.
    agenda = [*fourth.sessions, *(i for s in fourth.sessions for i in s.items), *demo_networks]
    in_agenda = sum(demo_translations.translate(obj) for obj in agenda)
    added = in_agenda + _translate(series, fourth, demo_networks)
    added += demo_contacts.add_accounts(networks)
    added += demo_registrations.add(fourth, networks)
    if not added:
        return False
    db.session.commit()
    if in_agenda and not unpublished:
        releases.publish(fourth, note="Demo agenda in French and Spanish", notify=False)
        db.session.commit()
    return True


def _translate(series, fourth, networks):
    """Give the demo's content the French and Spanish versions it lacks; return how many."""
    earlier = db.session.scalars(
        select(Meeting).where(Meeting.acronym.in_([f"gmwen{n}" for n, *_ in EARLIER]))
    ).all()
    questions = (
        db.session.scalars(select(Question).where(Question.meeting_id == fourth.id)).all()
        if fourth.id
        else []
    )
    objects = [
        series,
        *[m for m in earlier if m.is_demo],
        fourth,
        *networks,
        *fourth.sessions,
        *(item for session in fourth.sessions for item in session.items),
        *fourth.documents,
        *questions,
    ]
    return sum(demo_translations.translate(obj) for obj in objects)


def _networks():
    existing = {n.slug: n for n in db.session.scalars(select(Network))}
    for slug, acronym, name, region in NETWORKS:
        if slug not in existing:
            existing[slug] = Network(slug=slug, acronym=acronym, name=name, region=region)
            db.session.add(existing[slug])
    return existing


def _earlier_meeting(series, number, ordinal, day, city, country, tz, cop):
    return Meeting(
        series=series,
        number=number,
        acronym=f"gmwen{number}",
        title=f"{ordinal} Global Meeting of Wildlife Enforcement Networks",
        start_date=day,
        end_date=day,
        timezone=tz,
        city=city,
        country_code=country,
        held_alongside=cop,
        convener=CONVENER,
        partners=PARTNERS,
        status=PUBLISHED,
        is_demo=True,
        retention_months=MAX_RETENTION_MONTHS,
    )


def _fourth_meeting(series, networks):
    meeting = Meeting(
        series=series,
        number=4,
        acronym="gmwen4",
        title="4th Global Meeting of Wildlife Enforcement Networks",
        start_date=DAY1,
        end_date=DAY2,
        timezone="America/Panama",
        venue="Panama Convention Center",
        city="Panama City",
        country_code="PA",
        held_alongside="the 19th meeting of the Conference of the Parties to CITES (CoP19)",
        convener=CONVENER,
        partners=PARTNERS,
        funding="With generous funding support from the United States of America.",
        description=FOURTH_DESCRIPTION,
        disclaimer=DISCLAIMER,
        status=PUBLISHED,
        is_demo=True,
        # Its registrations are invented and it ended in 2023: they stay for whoever tries
        # the demo, rather than being removed by the daily run (registration/retention.py).
        retention_months=MAX_RETENTION_MONTHS,
        networks=[networks[slug] for slug, *_ in NETWORKS],
    )
    for number, title, day, start, end, chair, public, items in SESSIONS:
        session = Session(
            number=number,
            title=title,
            day=day,
            starts_at=start,
            ends_at=end,
            room="Plenary hall",
            chair=chair,
            is_public=public,
        )
        for position, item in enumerate(items):
            session.items.append(_item(item, position, networks, PRESENTATION_TITLES.get(number)))
        # Invented durations: the session's time shared evenly, in whole five minutes.
        share = session.minutes // max(len(session.items), 1) // 5 * 5
        for item in session.items:
            item.duration_minutes = share
        meeting.sessions.append(session)
    # Registration stays open in the demo, so that a newcomer can try it.
    meeting.registration_settings = RegistrationSettings(
        capacity=120, network_quota=4, endorsement_required=True, auto_promote=True
    )
    for position, (kind, title) in enumerate(
        [
            ("report", "Report of the meeting"),
            ("agenda", "Agenda of the meeting"),
            ("press_release", "Press release"),
        ]
    ):
        meeting.documents.append(Document(kind=kind, title=title, position=position))
    for position, (slug, _acronym, name, _region) in enumerate(NETWORKS, start=10):
        meeting.documents.append(
            Document(
                kind="information_sheet",
                title=f"Information sheet: {name}",
                network=networks[slug],
                position=position,
            )
        )
    return meeting


def _item(item, position, networks, title):
    if isinstance(item, tuple):
        kind, title = item
        return AgendaItem(kind=kind, title=title, position=position)
    return AgendaItem(network=networks[item], title=title, position=position)


# One account a role, so that a newcomer can try each; only ever made with the demo data.
# (email, role, name, network slugs, language): the organiser reads English whatever the
# browser asks for; the other two follow the browser (or the language switch) until their
# holder chooses, as a new account does. The demo's French and Spanish readers are its
# delegates (registrations.py) and the COMIFAC and ROAVIS focal points (contacts.py).
DEMO_ACCOUNTS = [
    ("organiser@example.org", "organiser", "Demo Organiser (fictional)", [], "en"),
    ("focal.point@example.org", "focal_point", "Demo Focal Point (fictional)", ["naweg"], None),
    ("delegate@example.org", "delegate", "Demo Delegate (fictional)", [], None),
]


def reset_demo_passwords():
    """Create the demo accounts if missing, give each a new random password, return them.

    Returns ``[(email, role, password), …]``, or ``[]`` where the demo is not loaded: demo
    accounts never exist in a database without the demo meeting.
    """
    if not db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4")):
        return []
    shown = []
    for email, role, name, slugs, language in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            networks = db.session.scalars(select(Network).where(Network.slug.in_(slugs))).all()
            user = User(
                email=email, role=role, name=name, networks=list(networks), language=language
            )
            db.session.add(user)
        user.password_hash = hash_password(password)
        user.is_disabled = False
        shown.append((email, role, password))
    db.session.commit()
    return shown


def scale(acronym="gmwen4", sessions=80, items=600):
    """Grow a meeting's agenda to ``sessions`` sessions and ``items`` items (for benchmarks).

    The copies repeat the demo's days and times; they exist to measure pages, not to be read.
    """
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == acronym))
    existing = list(meeting.sessions)
    networks = list(meeting.networks)
    number = max(s.number for s in existing)
    while len(meeting.sessions) < sessions:
        template = existing[len(meeting.sessions) % len(existing)]
        number += 1
        meeting.sessions.append(
            Session(
                number=number,
                title=f"{template.title} ({number})",
                day=template.day,
                starts_at=template.starts_at,
                ends_at=template.ends_at,
                room=template.room,
                chair=template.chair,
                is_public=template.is_public,
            )
        )
    count = sum(len(s.items) for s in meeting.sessions)
    for n in range(items - count):
        session = meeting.sessions[n % len(meeting.sessions)]
        network = networks[n % len(networks)]
        session.items.append(
            AgendaItem(
                network=network,
                title=f"Presentation {n}",
                position=len(session.items),
                duration_minutes=5,
            )
        )
    db.session.commit()
    releases.publish(meeting, note="Scaled for a benchmark", notify=False)
    db.session.commit()
