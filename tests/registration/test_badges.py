"""Badges: the sheet for a filter of approved registrations, each marked printed; the QR
code's signed token reads back, and a tampered, expired or revoked one is recognised."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.agenda.test_pdf import pages_in
from tests.conftest import audit_entries, csrf_token
from tests.factories import make_meeting, make_network, make_registration
from wenevents.extensions import db
from wenevents.registration import badges
from wenevents.registration.models import Registration

PAGE = "/manage/gm/registrations/badges"


@pytest.fixture
def meeting(app):
    sawen = make_network(acronym="SAWEN", slug="sawen")
    naweg = make_network(acronym="NAWEG", slug="naweg")
    return make_meeting(
        acronym="gm",
        networks=[sawen, naweg],
        start_date=date(2030, 5, 6),
        end_date=date(2030, 5, 7),
    )


def approved(meeting, network=None, **kwargs):
    return make_registration(meeting, status="approved", network=network, **kwargs)


def post(client, data):
    token = csrf_token(client.get(PAGE).text)
    return client.post(PAGE, data={"csrf_token": token, **data})


def printed():
    """The family names of the registrations marked printed."""
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(Registration.family_name).where(Registration.badge_printed_at.is_not(None))
        )
    )


def test_badges_every_approved_four_a_page_and_marked(organiser_client, meeting):
    people = [approved(meeting, family_name=f"Person {n}") for n in range(5)]
    make_registration(meeting, status="submitted", family_name="Not yet")

    response = post(organiser_client, {"which": "all"})

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert 'filename="gm-badges-all.pdf"' in response.headers["Content-Disposition"]
    assert pages_in(response.data) == 2
    assert printed() == [p.family_name for p in people]
    assert [e.summary for e in audit_entries("registration.badges")] == ["gm: 5 badges (all)"]


def test_badges_one_network_and_not_yet_printed(organiser_client, meeting):
    sawen, naweg = meeting.networks
    approved(meeting, sawen, family_name="Sawen One")
    approved(meeting, naweg, family_name="Naweg One")

    post(organiser_client, {"which": "network", "network": str(naweg.id)})
    assert printed() == ["Naweg One"]
    approved(meeting, naweg, family_name="Naweg Late")
    later = post(organiser_client, {"which": "not_printed"})

    assert pages_in(later.data) == 1
    assert printed() == ["Naweg Late", "Naweg One", "Sawen One"]
    assert [e.summary for e in audit_entries("registration.badges")] == [
        "gm: 1 badges (network)",
        "gm: 2 badges (not_printed)",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"which": "network", "network": ""}, "Choose the network whose badges to print."),
        ({"which": "network", "network": "99999"}, "Choose the network whose badges to print."),
        ({"which": "everyone"}, "Not a valid choice"),
        ({"which": "not_printed"}, "No approved registration matches"),
    ],
)
def test_badges_bad_choice_said_at_the_field_nothing_marked(
    organiser_client, meeting, data, message
):
    response = post(organiser_client, data)

    assert response.status_code == 422
    assert message in response.text
    assert audit_entries("registration.badges") == []


def test_badges_page_is_for_organisers_only(client, meeting, sign_in_as):
    delegate = sign_in_as("d@example.org", "delegate")

    assert client.get(PAGE).status_code == 302
    assert delegate.get(PAGE).status_code == 403


def test_badge_token_reads_back_to_its_registration(app, meeting):
    person = approved(meeting)

    token = badges.badge_token(person)

    assert badges.read_badge(token, meeting, now=datetime(2030, 5, 7, 12)) == person
    assert "@" not in token and person.family_name not in token


@pytest.mark.parametrize("change", ["tampered", "forged", "other meeting", "garbage", "empty"])
def test_badge_token_tampered_is_refused(app, meeting, change):
    person = approved(meeting)
    other = make_meeting(acronym="other")
    token = {
        "tampered": badges.badge_token(person)[:-2] + "xx",
        "forged": re.sub(r"^[^.]+", "WzEsIDk5OTld", badges.badge_token(person)),
        "other meeting": badges.badge_token(approved(other)),
        "garbage": "%00<script>",
        "empty": "",
    }[change]

    with pytest.raises(badges.BadBadge) as refused:
        badges.read_badge(token, meeting, now=datetime(2030, 5, 7, 12))
    assert refused.value.reason == "tampered"


def test_badge_after_the_meeting_is_expired(app, meeting):
    token = badges.badge_token(approved(meeting))

    # The meeting ends 7 May in its zone; its badges work through 8 May there.
    assert badges.read_badge(token, meeting, now=datetime(2030, 5, 8, 12))
    with pytest.raises(badges.BadBadge) as refused:
        badges.read_badge(token, meeting, now=datetime(2030, 5, 10, 12))
    assert refused.value.reason == "expired"


@pytest.mark.parametrize("status", ["withdrawn", "rejected"])
def test_badge_of_a_registration_no_longer_approved_is_revoked(app, meeting, status):
    person = approved(meeting)
    token = badges.badge_token(person)
    person.status = status
    db.session.commit()

    with pytest.raises(badges.BadBadge) as refused:
        badges.read_badge(token, meeting, now=datetime(2030, 5, 7, 12))
    assert refused.value.reason == "revoked"


def test_badge_printing_keeps_the_registrations_version(organiser_client, meeting):
    person = approved(meeting)
    version = person.version

    post(organiser_client, {"which": "all"})

    db.session.expire_all()
    again = db.session.scalar(select(Registration).filter_by(id=person.id))
    assert again.version == version
