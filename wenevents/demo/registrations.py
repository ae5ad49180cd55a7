"""Fictional registrations for the demo meeting, in the three languages, so that an organiser
trying the demo has decisions to make and sees each delegate's mail go in their own language.

Delegates of COMIFAC and of the WCO's offices for Central and West Africa registered in
French, those of ROAVIS and SudWEN in Spanish, the others in English. Every name says it is
fictional and every address is at example.org (reserved for examples). Each registration
is confirmed, so each has the account a confirmation makes (no password: nobody signs in
as them), with its holder's language. None is a NAWEG delegate: the demo focal point's
queue is left for whoever tries the demo.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from wenevents.accounts.models import DELEGATE, User
from wenevents.demo import contacts as demo_contacts
from wenevents.extensions import db
from wenevents.registration.models import (
    APPROVED,
    ENDORSED,
    SUBMITTED,
    UNCONFIRMED,
    Registration,
)

# When the demo's delegates registered, confirmed, were endorsed and approved (invented).
REGISTERED = datetime(2023, 10, 2, 14, 0)
STEP = timedelta(days=3)

# (network slug or None, language, status, title, given name, family name, organisation,
# position, country, participation role, listed among the participants)
REGISTRATIONS = [
    ("comifac", "fr", APPROVED, "M.", "Brice", "Ndong (fictional)",
     "Ministère des Eaux et Forêts (fictional)", "Chef de brigade", "GA",
     "network_delegate", True),
    ("comifac", "fr", ENDORSED, "Mme", "Chantal", "Nkoulou (fictional)",
     "Ministère des Forêts et de la Faune (fictional)", "Inspectrice", "CM",
     "network_delegate", False),
    ("rilo-ca", "fr", APPROVED, "M.", "Patrick", "Ilunga (fictional)",
     "Direction générale des douanes et accises (fictional)", "Analyste du renseignement",
     "CD", "network_delegate", True),
    ("rilo-wa", "fr", SUBMITTED, "Mme", "Awa", "Diop (fictional)",
     "Direction générale des douanes (fictional)", "Chargée de liaison", "SN",
     "network_delegate", False),
    ("roavis", "es", APPROVED, "Lcda.", "María José", "Pérez (fictional)",
     "Fiscalía de Delitos contra el Ambiente (fictional)", "Fiscal", "GT",
     "network_delegate", True),
    ("roavis", "es", ENDORSED, "Sr.", "José", "Ramírez (fictional)",
     "Instituto de Conservación Forestal (fictional)", "Inspector", "HN",
     "network_delegate", False),
    ("sudwen", "es", SUBMITTED, "Dra.", "Ana", "Quispe (fictional)",
     "Fiscalía Especializada en Materia Ambiental (fictional)", "Fiscal provincial", "PE",
     "network_delegate", False),
    ("sawen", "en", APPROVED, "Mr", "Anil", "Thapa (fictional)",
     "Department of National Parks and Wildlife Conservation (fictional)", "Ranger", "NP",
     "network_delegate", True),
    ("ha-wen", "en", ENDORSED, "Ms", "Amina", "Yusuf (fictional)",
     "Wildlife Service (fictional)", "Investigator", "KE", "network_delegate", False),
    (None, "en", SUBMITTED, "Dr", "Erin", "Walsh (fictional)",
     "Wildlife trade research institute (fictional)", "Researcher", "GB", "observer", False),
]  # fmt: skip


def registrations():
    """``[(network slug or None, fields), …]`` of every demo registration, in a fixed order;
    the address is made from the network (``comifac.delegate1@example.org``)."""
    found, counts = [], {}
    for slug, language, status, *rest in REGISTRATIONS:
        title, given, family, organisation, position, country, role, listed = rest
        counts[slug] = counts.get(slug, 0) + 1
        email = f"{slug or 'observer'}.delegate{counts[slug]}@example.org"
        fields = {
            "email": email,
            "language": language,
            "status": status,
            "title": title,
            "given_name": given,
            "family_name": family,
            "organisation": organisation,
            "position": position,
            "country_code": country,
            "participation_role": role,
            "consent_list": listed,
        }
        found.append((slug, fields))
    return found


def add(meeting, networks):
    """Add the demo registrations missing from ``meeting`` (by address); return how many.

    ``networks``: ``{slug: Network}``. A registration whose network is not there is left
    out rather than made without one.
    """
    have = set(
        db.session.scalars(select(Registration.email).where(Registration.meeting_id == meeting.id))
        if meeting.id
        else ()
    )
    added = 0
    for index, (slug, fields) in enumerate(registrations()):
        if fields["email"] in have or (slug and slug not in networks):
            continue
        db.session.add(_registration(meeting, networks.get(slug), index, **fields))
        added += 1
    return added


def _registration(meeting, network, index, email, status, **fields):
    registered = REGISTERED + timedelta(hours=5 * index)
    registration = Registration(
        meeting=meeting,
        email=email,
        network=network,
        arrival_date=meeting.start_date - timedelta(days=1),
        departure_date=meeting.end_date + timedelta(days=1),
        created_at=registered,
        updated_at=registered,
        **fields,
    )
    registration.user = _account(email, registration.name, fields["language"])
    steps = [(UNCONFIRMED, ""), (SUBMITTED, "Address confirmed")]
    if status in (ENDORSED, APPROVED):
        steps.append((ENDORSED, ""))
    if status == APPROVED:
        steps.append((APPROVED, ""))
    # Endorsed by the network's focal point where the demo gives it an account.
    endorser = demo_contacts.account_of(network.slug) if network else None
    for number, (step, note) in enumerate(steps):
        registration.move(step, by=endorser if step == ENDORSED else None, note=note)
        registration.events[-1].at = registered + number * STEP
    registration.confirmed_at = registered + STEP
    if status in (ENDORSED, APPROVED):
        registration.endorsed_at = registered + 2 * STEP
    registration.updated_at = registration.events[-1].at
    return registration


def _account(email, name, language):
    """The account a confirmation makes (the one with this address, if there is one)."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=DELEGATE, language=language)
        db.session.add(user)
    return user
