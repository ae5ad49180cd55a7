"""Check-in at the venue: by a badge's code or by name, for organisers and the meeting's
check-in helpers only; a bad badge is said to be one; counts per network."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import audit_entries, csrf_token, htmx_headers
from tests.factories import make_meeting, make_network, make_registration
from wenevents.accounts.models import DELEGATE
from wenevents.extensions import db
from wenevents.registration import badges, checkin
from wenevents.registration.models import CheckinHelper, Registration

PAGE = "/gm/check-in/"


@pytest.fixture
def meeting(app):
    naweg = make_network(acronym="NAWEG", slug="naweg")
    # Today's meeting: its badges are valid now.
    return make_meeting(
        acronym="gm", networks=[naweg], start_date=date.today(), end_date=date.today()
    )


def approved(meeting, **kwargs):
    return make_registration(meeting, status="approved", network=meeting.networks[0], **kwargs)


def scan(client, token):
    page = client.get(PAGE).text
    return client.post("/gm/check-in/badge", data={"csrf_token": csrf_token(page), "token": token})


def checked_in(registration):
    db.session.expire_all()
    return db.session.get(Registration, registration.id).checked_in_at is not None


def test_checkin_by_badge_checks_in_once(organiser_client, meeting):
    person = approved(meeting, given_name="Nia", family_name="Okafor")
    token = badges.badge_token(person)

    first = scan(organiser_client, token)
    page = organiser_client.get(PAGE).text
    again = scan(organiser_client, token)

    assert first.status_code == 303 and again.status_code == 303
    assert checked_in(person)
    flashes = organiser_client.get(PAGE).text
    assert "Nia Okafor (NAWEG) was already checked in, at" in flashes
    assert "Nia Okafor (NAWEG) is checked in." in page
    assert [e.summary for e in audit_entries("registration.checked_in")] == ["gm: Nia Okafor"]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("WzEsMV0.forged", "This is not a valid badge of this meeting."),
        ("<b hx-get=/x>", "This is not a valid badge of this meeting."),
    ],
)
def test_checkin_bad_badge_is_said_and_nothing_changes(organiser_client, meeting, token, message):
    person = approved(meeting)

    scan(organiser_client, token)

    assert message in organiser_client.get(PAGE).text
    assert not checked_in(person)
    assert [e.summary for e in audit_entries("registration.badge_refused")] == ["gm: tampered"]


def test_checkin_revoked_badge_is_refused(organiser_client, meeting):
    person = approved(meeting)
    token = badges.badge_token(person)
    person.status = "withdrawn"
    db.session.commit()

    scan(organiser_client, token)

    assert "no longer approved: do not check them in" in organiser_client.get(PAGE).text
    assert not checked_in(person)


def test_checkin_empty_code_is_said_at_the_field(organiser_client, meeting):
    response = scan(organiser_client, "   ")

    assert response.status_code == 422
    assert "Scan or type the badge’s code." in response.text


def test_checkin_with_htmx_answers_the_attempt_and_counts(organiser_client, meeting):
    person = approved(meeting, given_name="Nia", family_name="Okafor")
    page = organiser_client.get(PAGE).text

    response = organiser_client.post(
        "/gm/check-in/badge",
        data={"csrf_token": csrf_token(page), "token": badges.badge_token(person)},
        headers=htmx_headers(organiser_client, PAGE, "checkin-attempt"),
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="checkin-attempt"')
    assert "Nia Okafor (NAWEG) is checked in." in response.text
    assert re.search(r'id="checkin-counts"[^>]*data-hx-swap-oob="true"', response.text)
    assert '<p class="checkin-total"><strong>1</strong> / 1</p>' in response.text


def test_checkin_by_name_search_then_one_tap(organiser_client, meeting):
    person = approved(meeting, given_name="Nia", family_name="Okafor", organisation="Customs")
    approved(meeting, given_name="Other", family_name="Person")
    make_registration(meeting, status="submitted", given_name="Nia", family_name="Pending")

    html = organiser_client.get(PAGE, query_string={"q": "nia"}).text
    assert "Okafor" in html and "Pending" not in html and "Other" not in html
    organiser_client.post(
        f"/gm/check-in/{person.id}", data={"csrf_token": csrf_token(html), "q": "nia"}
    )

    assert checked_in(person)


@pytest.mark.parametrize("registration_id", ["999999", "99999999999999999999999"])
def test_checkin_by_name_unknown_id_is_404(organiser_client, meeting, registration_id):
    page = organiser_client.get(PAGE).text

    response = organiser_client.post(
        f"/gm/check-in/{registration_id}", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 404


def test_checkin_of_another_meetings_registration_is_404(organiser_client, meeting):
    other = make_meeting(acronym="other")
    stranger = make_registration(other, status="approved")
    page = organiser_client.get(PAGE).text

    response = organiser_client.post(
        f"/gm/check-in/{stranger.id}", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 404
    assert not checked_in(stranger)


def test_checkin_counts_per_network(organiser, meeting):
    people = [approved(meeting) for _ in range(3)]
    make_registration(meeting, status="approved")  # no network
    make_registration(meeting, status="submitted", network=meeting.networks[0])
    checkin.check_in(people[0], organiser)
    db.session.commit()

    counts = checkin.counts(meeting)

    assert (counts.checked_in, counts.total) == (1, 4)
    assert counts.by_network == [("NAWEG", 1, 3), ("", 0, 1)]


def test_checkin_page_refused_to_a_delegate_and_audited(meeting, sign_in_as):
    delegate = sign_in_as("d@example.org", DELEGATE)

    assert delegate.get(PAGE).status_code == 403
    assert audit_entries("access.denied")[-1].summary == "check-in page"


def test_checkin_helper_may_check_in_and_nothing_else(organiser_client, meeting, sign_in_as):
    helper = sign_in_as("helper@example.org", DELEGATE, name="Hal Helper")
    page = organiser_client.get(PAGE).text
    organiser_client.post(
        "/gm/check-in/helpers", data={"csrf_token": csrf_token(page), "email": "Helper@Example.org"}
    )
    person = approved(meeting)

    helper_page = helper.get(PAGE)
    helper.post(
        "/gm/check-in/badge",
        data={"csrf_token": csrf_token(helper_page.text), "token": badges.badge_token(person)},
    )

    assert helper_page.status_code == 200
    assert "Check-in helpers" not in helper_page.text
    assert checked_in(person)
    assert helper.get("/manage/gm/registrations/").status_code == 403
    assert (
        helper.post(
            "/gm/check-in/helpers",
            data={"csrf_token": csrf_token(helper_page.text), "email": "x@example.org"},
        ).status_code
        == 403
    )


def test_checkin_helper_unknown_account_said_at_the_field(organiser_client, meeting):
    page = organiser_client.get(PAGE).text

    response = organiser_client.post(
        "/gm/check-in/helpers", data={"csrf_token": csrf_token(page), "email": "nobody@example.org"}
    )

    assert response.status_code == 422
    assert "No active account has this address" in response.text
    assert db.session.query(CheckinHelper).count() == 0


def test_checkin_helper_removed_loses_the_page(organiser_client, meeting, sign_in_as):
    helper = sign_in_as("helper@example.org", DELEGATE)
    page = organiser_client.get(PAGE).text
    organiser_client.post(
        "/gm/check-in/helpers", data={"csrf_token": csrf_token(page), "email": "helper@example.org"}
    )
    helper_id = db.session.scalar(select(CheckinHelper.id))
    page = organiser_client.get(PAGE).text

    organiser_client.post(
        f"/gm/check-in/helpers/{helper_id}/remove", data={"csrf_token": csrf_token(page)}
    )

    assert helper.get(PAGE).status_code == 403


def test_checkin_does_not_make_the_registration_stale(organiser_client, meeting):
    person = approved(meeting)
    version = person.version

    scan(organiser_client, badges.badge_token(person))

    db.session.expire_all()
    assert db.session.get(Registration, person.id).version == version


def test_checkin_helper_loses_the_page_after_the_meeting(organiser_client, meeting, sign_in_as):
    helper = sign_in_as("helper@example.org", DELEGATE)
    page = organiser_client.get(PAGE).text
    organiser_client.post(
        "/gm/check-in/helpers", data={"csrf_token": csrf_token(page), "email": "helper@example.org"}
    )
    assert helper.get(PAGE).status_code == 200
    meeting.start_date = meeting.end_date = date(2020, 1, 1)
    db.session.commit()

    assert helper.get(PAGE).status_code == 403
    assert organiser_client.get(PAGE).status_code == 200


@pytest.mark.parametrize("text", ["%", "_", "\\"])
def test_checkin_search_wildcards_match_only_themselves(organiser, meeting, text):
    approved(meeting, given_name="Nia", family_name="Okafor")

    assert checkin.find(meeting, text) == []
