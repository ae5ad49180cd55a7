"""A stranger registers for the demo meeting and confirms their own address: signed in, and
nobody has vouched for them. Crawling every GET route (tests/crawling.py) as pages and as
htmx fragments, following every link, they find no focal point's email or phone and nothing
of any other registrant.

The same crawl as a delegate whose registration is approved finds the focal points' contact
details that participants may see and the listed participants' names: so the crawl can
fail, and does see what it looks for (tests/security/test_participant_crawl.py, a file of
its own so that the two long crawls run on two workers).
"""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, _hash
from tests.crawling import (
    contact_details,
    crawl,
    fragments,
    get_rules,
    leaks,
    reached_rules,
    seed_urls,
)
from wenevents.accounts.models import DELEGATE, User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks import contacts
from wenevents.networks.models import PARTICIPANTS, FocalPoint, Network
from wenevents.registration import registering
from wenevents.registration.models import (
    APPROVED,
    ENDORSED,
    SUBMITTED,
    Question,
    Registration,
)

STRANGER = "stranger@outside.example"

# Other registrants of the demo meeting, each consenting to the list, with details no one
# would write by chance: (status, given, family, email, organisation, position, phone,
# note, dietary, accessibility).
PLANTED = [
    (APPROVED, "Xochiquetzal", "Quennevillez", "xq.planted@registrant.example",
     "Plantedorg Border Unit", "Plantedrank Inspector", "+99 8765 43210",
     "Plantednote about my travel", "Plantedfood only", "Plantedaccess ramp"),
    (APPROVED, "Yevgenyplant", "Zwartkopfer", "yz.planted@registrant.example",
     "Plantedorg Wildlife Crime Bureau", "Plantedrank Analyst", "+98 1234 56789",
     "Plantednote on my cases", "Plantedfood vegan", "Plantedaccess seat"),
    # Endorsed, not approved: not a participant, so on no list (the setting is off).
    (ENDORSED, "Wilhelmplant", "Vaskovitzer", "wv.planted@registrant.example",
     "Plantedendorsed Customs Office", "Plantedrank Officer", "+97 5555 12121",
     "Plantednote endorsed", "Plantedfood halal", "Plantedaccess none"),
]  # fmt: skip


@pytest.fixture
def planted(app, demo):
    """The planted registrations and the participants-only list of the demo meeting.

    Returns ``(listed, private)``: what a participant reads in the list (names and
    organisations of the approved), and what nobody but organisers may read.
    """
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    meeting.registration_settings.participants_list = "participants"
    naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
    phone = Question(meeting_id=meeting.id, kind="short_text", label="Mobile phone", position=1)
    note = Question(meeting_id=meeting.id, kind="long_text", label="Anything else", position=2)
    db.session.add_all([phone, note])
    db.session.flush()
    listed, private = set(), set()
    for status, given, family, email, organisation, position, number, text, food, access in PLANTED:
        user = User(email=email, name=f"{given} {family}", role=DELEGATE)
        db.session.add(
            Registration(
                meeting_id=meeting.id, user=user, email=email, title="Dr", given_name=given,
                family_name=family, organisation=organisation, position=position,
                country_code="NO", network_id=naweg.id, participation_role="network_delegate",
                arrival_date=meeting.start_date, departure_date=meeting.end_date,
                dietary=food, accessibility=access, consent_list=True, status=status,
                answers={str(phone.id): number, str(note.id): text},
            )
        )  # fmt: skip
        names = {given, family, organisation}
        (listed if status == APPROVED else private).update(names)
        digits = number.replace(" ", "")
        private.update({email, email.partition("@")[0], position, number, digits, text, food})
        private.add(access)
    db.session.commit()
    return listed, private


def stranger_registers_and_confirms(app, status):
    """Register for the demo meeting and confirm one's own address, through the services
    the pages call; then reach ``status`` (as an organiser's decision would)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
    values = {
        "email": STRANGER, "title": "Mx", "given_name": "Stranger", "family_name": "Outsider",
        "organisation": "Nobody vouched", "country_code": "PA", "network_id": naweg.id,
        "position": "", "participation_role": "network_delegate", "language": "en",
        "arrival_date": meeting.start_date, "departure_date": meeting.end_date,
        "dietary": "", "accessibility": "", "consent_list": True, "answers": {},
    }  # fmt: skip
    with app.test_request_context():
        registration, _created = registering.register(meeting, values)
        registration = registering.confirm(registration)
    assert registration.status == SUBMITTED  # confirmed, and nobody has vouched
    registration.status = status
    # The account the confirmation made has no password; give it one to sign in with.
    registration.user.password_hash = _hash(PASSWORD)
    db.session.commit()
    return registration


def for_participants():
    """``(cards, shown, hidden)``: how many focal points participants see, and the emails
    and phones the directory shows them and those it keeps for organisers."""
    cards, shown, hidden = 0, set(), set()
    for focal_point in db.session.scalars(select(FocalPoint)):
        card = contacts.card(focal_point, PARTICIPANTS)
        cards += card is not None
        for detail, seen in ((focal_point.email, card and card.email),
                             (focal_point.phone, card and card.phone)):  # fmt: skip
            if detail:
                (shown if seen else hidden).add(detail)
    return cards, shown, hidden


def details_found(found):
    return {detail for _url, detail in found}


def crawl_as_registrant(app, client, planted, status, participant):
    """Register and confirm as the stranger, reach ``status``, crawl every page and
    fragment signed in, and check what the crawl found. ``participant``: whether that
    status makes them a participant (tests/security/test_participant_crawl.py)."""
    listed, private = planted
    stranger_registers_and_confirms(app, status)
    auth = Auth(client)
    auth.login(STRANGER)
    assert auth.is_signed_in()

    pages, targets = crawl(client, seed_urls(app))
    asked_as_htmx = fragments(client, pages, targets)
    everything = {**pages, **asked_as_htmx}

    # The crawl ran signed in, as the stranger, to the end, and reached every route.
    assert auth.is_signed_in()
    assert "Stranger Outsider" in pages["/gmwen4/registration"][0]
    assert reached_rules(app, pages) == {rule.rule for rule in get_rules(app)}
    contacts_found = details_found(leaks(everything, contact_details()))
    listed_found = details_found(leaks(everything, listed, fold_case=True))
    cards, shown, hidden = for_participants()
    if participant:
        assert pages["/directory"][0].count('class="contact-name"') == min(cards, 50)
        assert len(shown) > 20 and len(hidden) > 5
        assert shown <= contacts_found
        assert details_found(leaks(everything, hidden)) == set()
        assert listed_found == {d.lower() for d in listed}
    else:
        assert contacts_found == set()
        assert listed_found == set()
        assert "The directory opens to participants" in pages["/directory"][0]
    # Nobody but organisers reads another registrant's address, phone, answers or needs.
    assert leaks(everything, private, fold_case=True) == []


def test_crawl_as_an_unvouched_registrant_finds_no_contact_and_no_registrant(app, client, planted):
    crawl_as_registrant(app, client, planted, SUBMITTED, participant=False)
