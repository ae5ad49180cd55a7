"""The participants list "for the meeting's participants": only those vouched for
(registration/rules.py) read it; anyone else signed in is told when it opens."""

import html

import pytest

from tests.conftest import PASSWORD, audit_entries
from tests.factories import make_meeting, make_network, make_registration
from tests.registration.conftest import change_settings
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    ENDORSED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
)

ME = "me@example.org"
CLOSED = (
    "The list of participants opens to this meeting’s participants: its organisers, the focal "
    "points of its networks, and delegates once their registration is approved."
)


@pytest.fixture
def listed(meeting):
    """Participants-only list with Alba (approved, listed), Secret (approved, not listed)
    and Endo (endorsed, listed)."""
    change_settings(meeting, participants_list="participants")
    make_registration(meeting, family_name="Alba", status=APPROVED, consent_list=True)
    make_registration(meeting, family_name="Secret", status=APPROVED, consent_list=False)
    make_registration(meeting, family_name="Endo", status=ENDORSED, consent_list=True)
    return meeting


def who_signs_in(make_user, auth, meeting, who):
    """Sign in as ``who``: a role, or a delegate with a registration in a status."""
    if who is None:
        return
    if who == ORGANISER:
        make_user(ME, ORGANISER)
    elif who == "focal point here":
        make_user(ME, FOCAL_POINT, networks=[meeting.networks[0]])
    elif who == "focal point elsewhere":
        make_user(ME, FOCAL_POINT, networks=[make_network()])
    elif who == "approved elsewhere":
        make_user(ME, DELEGATE)
        make_registration(make_meeting(), email=ME, status=APPROVED)
    elif who == "no registration":
        make_user(ME, DELEGATE)
    else:
        make_user(ME, DELEGATE)
        make_registration(meeting, email=ME, status=who)
    auth.login(ME, PASSWORD)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (None, 302),
        (ORGANISER, 200),
        ("focal point here", 200),
        ("focal point elsewhere", 403),
        (APPROVED, 200),
        ("approved elsewhere", 403),
        ("no registration", 403),
        (UNCONFIRMED, 403),
        (SUBMITTED, 403),
        (ENDORSED, 403),
        (DECLINED, 403),
        (REJECTED, 403),
        (WAITLISTED, 403),
        (WITHDRAWN, 403),
    ],
)
def test_participants_list_opens_to_participants_only(client, make_user, auth, listed, who, code):
    who_signs_in(make_user, auth, listed, who)

    response = client.get(f"/{listed.acronym}/participants")

    assert response.status_code == code
    if code == 200:
        assert "ALBA" in response.text
        assert "SECRET" not in response.text and "ENDO" not in response.text
    else:
        assert "ALBA" not in response.text and "Alba" not in response.text
    if code == 403:
        assert CLOSED in response.text
        assert "<h1>Participants</h1>" in response.text


def test_participants_list_tells_a_submitted_delegate_where_they_stand(
    client, make_user, auth, listed
):
    who_signs_in(make_user, auth, listed, SUBMITTED)

    html = client.get(f"/{listed.acronym}/participants").text

    assert f"Your registration for {listed.title}:" in html
    assert "Submitted: awaiting a decision" in html
    assert f'<a href="/{listed.acronym}/registration">See your registration' in html


def test_participants_list_offers_to_register_to_someone_without_a_registration(
    client, make_user, auth, listed
):
    who_signs_in(make_user, auth, listed, "approved elsewhere")

    html = client.get(f"/{listed.acronym}/participants").text

    assert "You have not registered for this meeting." in html
    assert f'<a href="/{listed.acronym}/register">Register</a>' in html


def test_participants_list_refusal_is_audited(client, make_user, auth, listed):
    who_signs_in(make_user, auth, listed, SUBMITTED)

    client.get(f"/{listed.acronym}/participants")

    [entry] = audit_entries("access.denied")
    assert entry.summary == f"participants list of {listed.acronym}"


@pytest.mark.parametrize("app_config", [{"PARTICIPANTS_INCLUDE_ENDORSED": True}])
def test_participants_list_counts_endorsed_when_the_setting_says_so(
    client, make_user, auth, listed
):
    who_signs_in(make_user, auth, listed, ENDORSED)

    response = client.get(f"/{listed.acronym}/participants")

    assert response.status_code == 200
    assert "ALBA" in response.text and "ENDO" in response.text
    assert "SECRET" not in response.text


@pytest.mark.parametrize("app_config", [{"PARTICIPANTS_INCLUDE_ENDORSED": True}])
def test_participants_list_closed_says_endorsement_opens_it_with_the_setting(
    client, make_user, auth, listed
):
    who_signs_in(make_user, auth, listed, SUBMITTED)

    response = client.get(f"/{listed.acronym}/participants")

    assert response.status_code == 403
    assert "once their network has endorsed their registration" in response.text


def test_public_participants_list_needs_no_participant(client, listed):
    change_settings(listed, participants_list="public")

    response = client.get(f"/{listed.acronym}/participants")

    assert response.status_code == 200
    assert "ALBA" in response.text and "ENDO" not in response.text


def test_participants_list_query_count_same_with_ten_times_the_people(
    client, make_user, auth, listed, count_queries
):
    who_signs_in(make_user, auth, listed, APPROVED)
    client.get(f"/{listed.acronym}/participants")  # a sign-in's first request writes

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/{listed.acronym}/participants").status_code == 200
        return len(statements)

    for _ in range(3):
        make_registration(listed, status=APPROVED, consent_list=True, network=listed.networks[0])
    at_1x = queries()
    for _ in range(30):
        make_registration(listed, status=APPROVED, consent_list=True, network=listed.networks[1])
    at_10x = queries()

    assert at_10x == at_1x


@pytest.mark.parametrize(
    ("status", "network", "next_step"),
    [
        (SUBMITTED, True, "Next, your network’s focal point endorses it and the organisers"),
        (SUBMITTED, False, "Next, the organisers approve it."),
        (ENDORSED, True, "Next, the organisers approve it."),
        (WAITLISTED, True, "When a seat frees, the first on the list gets it"),
    ],
)
def test_participants_list_closed_says_what_it_is_and_what_opens_it(
    client, make_user, auth, listed, status, network, next_step
):
    make_user(ME, DELEGATE)
    network_id = listed.networks[0].id if network else None
    make_registration(listed, email=ME, status=status, network_id=network_id)
    auth.login(ME, PASSWORD)

    response = client.get(f"/{listed.acronym}/participants")

    assert response.status_code == 403
    note = html.unescape(response.text)
    assert "The list of participants names the people attending this meeting who agreed" in note
    assert next_step in note
    for name in ("Alba", "ALBA", "ENDO", "Ana Endo", "Ana Secret"):
        assert name not in response.text
