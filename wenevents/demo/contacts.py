"""Fictional focal points for the demo's networks, so that the directory is not empty.

Every name says it is fictional, every address is at example.org (reserved for examples)
and every phone number is in the +1 555 0100–0199 range, which is reserved for fiction.
Some show their name, title and agency to the public; none shows an email address or a
phone number to anyone who is not signed in.
"""

from sqlalchemy import select

from wenevents.accounts.models import FOCAL_POINT, User
from wenevents.extensions import db
from wenevents.networks.models import ORGANISERS, PARTICIPANTS, PUBLIC, FocalPoint

# network slug: [(name, title, agency, country), …]; the first of each network is public.
CONTACTS = {
    "asean-wen": [
        (
            "Anong Srisuk (fictional)",
            "Programme officer",
            "ASEAN WEN Secretariat (fictional)",
            "TH",
        ),
        ("Budi Santoso (fictional)", "Wildlife crime analyst", "Forest Police (fictional)", "ID"),
    ],
    "nicegg": [
        ("Li Wen (fictional)", "Coordinator", "CITES Management Authority (fictional)", "CN")
    ],
    "comifac": [
        (
            "Aline Mbarga (fictional)",
            "Enforcement adviser",
            "COMIFAC Secretariat (fictional)",
            "CM",
        ),
        ("Jean-Paul Okemba (fictional)", "Ranger", "Forest Service (fictional)", "CG"),
    ],
    "eu-ewg": [
        ("Marta Kowalska (fictional)", "Policy officer", "European Commission (fictional)", "BE")
    ],
    "europol": [("Jan de Vries (fictional)", "Analyst", "Europol (fictional)", "NL")],
    "ha-wen": [
        ("Hodan Ali (fictional)", "Network coordinator", "HA-WEN Secretariat (fictional)", "KE"),
        ("Dawit Bekele (fictional)", "Investigator", "Wildlife Authority (fictional)", "ET"),
    ],
    "sudwen": [
        ("Lucía Fernández (fictional)", "Prosecutor", "Environmental Prosecutors (fictional)", "AR")
    ],
    "latf": [
        (
            "Grace Mwangi (fictional)",
            "Intelligence officer",
            "Lusaka Agreement Task Force (fictional)",
            "KE",
        ),
        ("Thabo Nkosi (fictional)", "Field officer", "Parks Authority (fictional)", "ZM"),
    ],
    "naweg": [
        (
            "Sarah Miller (fictional)",
            "Special agent",
            "Fish and Wildlife Service (fictional)",
            "US",
        ),
        (
            "Luc Tremblay (fictional)",
            "Enforcement officer",
            "Wildlife Enforcement (fictional)",
            "CA",
        ),
    ],
    "roavis": [
        ("Carlos Méndez (fictional)", "Coordinator", "Ministry of Environment (fictional)", "CR")
    ],
    "resg": [
        (
            "Nomvula Dlamini (fictional)",
            "Security adviser",
            "Rhino and Elephant Security (fictional)",
            "ZA",
        )
    ],
    "sawen": [
        (
            "Priya Sharma (fictional)",
            "Chief enforcement officer",
            "SAWEN Secretariat (fictional)",
            "NP",
        ),
        ("Rahul Verma (fictional)", "Investigator", "Wildlife Crime Bureau (fictional)", "IN"),
    ],
    "rilo-ca": [
        (
            "Esther Nguema (fictional)",
            "Liaison officer",
            "WCO RILO Central Africa (fictional)",
            "GA",
        )
    ],
    "rilo-wa": [
        ("Kwame Mensah (fictional)", "Liaison officer", "WCO RILO West Africa (fictional)", "SN")
    ],
}

# The networks whose first focal point also has an account, in the language they read: the
# mail the site sends them (reminders about their network's materials) is in it. No password:
# the demo's own focal point account (demo/__init__.py) is the one to sign in with.
ACCOUNTS = {"comifac": "fr", "roavis": "es"}

PUBLIC_PROFILE = {
    "name_visibility": PUBLIC,
    "title_visibility": PUBLIC,
    "agency_visibility": PUBLIC,
    "country_code_visibility": PUBLIC,
    "email_visibility": PARTICIPANTS,
    "phone_visibility": PARTICIPANTS,
}
PRIVATE_PROFILE = {
    "name_visibility": PARTICIPANTS,
    "title_visibility": PARTICIPANTS,
    "agency_visibility": ORGANISERS,
    "country_code_visibility": PARTICIPANTS,
    "email_visibility": PARTICIPANTS,
    "phone_visibility": ORGANISERS,
}


def contacts():
    """``[(network slug, fields), …]`` of every fictional focal point, in a fixed order."""
    found, number = [], 100
    for slug, people in CONTACTS.items():
        for index, (name, title, agency, country) in enumerate(people, start=1):
            found.append(
                (
                    slug,
                    {
                        "name": name,
                        "title": title,
                        "agency": agency,
                        "country_code": country,
                        "email": f"{slug}.focal{index}@example.org",
                        "phone": f"+1 555 0{number}",
                        **(PUBLIC_PROFILE if index == 1 else PRIVATE_PROFILE),
                    },
                )
            )
            number += 1
    return found


def add(networks):
    """Add the focal points missing from the database (by address) to ``{slug: Network}``."""
    have = set(db.session.scalars(select(FocalPoint.email)))
    for slug, fields in contacts():
        if fields["email"] not in have and slug in networks:
            db.session.add(FocalPoint(networks=[networks[slug]], **fields))


def add_accounts(networks):
    """Add the accounts of ``ACCOUNTS``' focal points missing from the database (by address),
    for their networks in ``{slug: Network}``; return how many."""
    have = set(db.session.scalars(select(User.email)))
    first = {}
    for slug, fields in contacts():
        first.setdefault(slug, fields)
    added = 0
    for slug, language in ACCOUNTS.items():
        fields = first[slug]
        if fields["email"] in have or slug not in networks:
            continue
        db.session.add(
            User(
                email=fields["email"],
                name=fields["name"],
                role=FOCAL_POINT,
                language=language,
                networks=[networks[slug]],
            )
        )
        added += 1
    return added


def account_of(slug):
    """The account of ``slug``'s first focal point, or None."""
    return db.session.scalar(select(User).where(User.email == f"{slug}.focal1@example.org"))
