"""The workflow after confirmation: seats, quotas and the waiting list; the focal point's
endorsement; the organisers' decision; withdrawal and promotion; edits; its history; and
every message it sends, through a real SMTP server."""

import re
from contextlib import contextmanager
from datetime import date

import pytest
from icalendar import Calendar

from tests.conftest import Auth, audit_entries, csrf_token
from tests.factories import make_network
from tests.registration.conftest import (
    body,
    change_settings,
    events_of,
    form_data,
    registration_of,
    registrations,
)
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.registration import seats, workflow
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


@pytest.fixture
def app_config(smtp_server):
    """Every message of this module goes through a real SMTP server."""
    return {
        "REGISTRATION_LIMIT": "10000 per hour",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
    }


@pytest.fixture
def people(app, meeting, register_and_confirm):
    """``people(email, network_index_or_None, **fields)``: registers and confirms someone."""

    def make(email, network=0, **fields):
        network_id = "" if network is None else str(meeting.networks[network].id)
        role = "observer" if network is None else "network_delegate"
        client = register_and_confirm(
            email, network_id=network_id, participation_role=role, **fields
        )
        return client, registration_of(meeting, email)

    return make


@pytest.fixture
def organiser(make_user):
    return make_user("organiser@example.org", ORGANISER)


@pytest.fixture
def focal_point(sign_in_as, meeting):
    """``focal_point(network_index)``: a client signed in as that network's focal point."""

    def make(network=0, email=None):
        network = meeting.networks[network]
        return sign_in_as(email or f"fp.{network.slug}@example.org", FOCAL_POINT, [network])

    return make


@contextmanager
def acting(app):
    """Organiser steps have no page yet: call the services inside a request context
    (their links need one), then commit, as a view would (their mail is queued with them)."""
    with app.test_request_context():
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
    db.session.expire_all()


def subjects(sent_mail, to):
    return [m["Subject"] for m in sent_mail(to)]


def steps(registration):
    """``[(from, to, actor email), …]`` of a registration's history, oldest first."""
    return [(e.from_status, e.to_status, e.actor_email) for e in events_of(registration)]


def statuses(meeting):
    return {r.email: r.status for r in registrations(meeting)}


def network_page(meeting):
    return f"/{meeting.acronym}/network-registrations"


def act(client, meeting, registration, action, htmx=True, registration_id=None, **data):
    """A focal point's endorse/decline button, as the network page has it."""
    page = client.get(network_page(meeting))
    token = (
        csrf_token(page.text)
        if page.status_code == 200
        else csrf_token(client.get("/account").text)
    )
    headers = {"HX-Request": "true", "HX-Target": f"registration-{registration.id}"}
    return client.post(
        f"/registrations/{registration_id or registration.id}/{action}",
        data={"csrf_token": token, **data},
        headers=headers if htmx else None,
    )


# Seats, quotas and the waiting list ---------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{"capacity": 2}])
def test_capacity_puts_later_confirmations_on_the_waiting_list_in_order(meeting, people, sent_mail):
    for n in range(5):
        people(f"p{n}@example.org", network=n % 2)

    assert statuses(meeting) == {
        "p0@example.org": SUBMITTED,
        "p1@example.org": SUBMITTED,
        "p2@example.org": WAITLISTED,
        "p3@example.org": WAITLISTED,
        "p4@example.org": WAITLISTED,
    }
    waiting = [registration_of(meeting, f"p{n}@example.org") for n in (2, 3, 4)]
    times = [r.waitlisted_at for r in waiting]
    assert None not in times and times == sorted(times) and len(set(times)) == 3
    assert subjects(sent_mail, "p2@example.org")[-1] == f"On the waiting list: {meeting.title}"
    assert "full for now" in body(sent_mail("p2@example.org")[-1])
    assert subjects(sent_mail, "p1@example.org")[-1] == f"Registration received: {meeting.title}"
    assert steps(waiting[0])[-1] == (UNCONFIRMED, WAITLISTED, "p2@example.org")


@pytest.mark.parametrize("settings_overrides", [{"network_quota": 2}])
def test_network_quota_waitlists_that_network_only(meeting, people):
    for n in range(3):
        people(f"a{n}@example.org", network=0)
    people("b0@example.org", network=1)
    people("observer@example.org", network=None)

    assert statuses(meeting) == {
        "a0@example.org": SUBMITTED,
        "a1@example.org": SUBMITTED,
        "a2@example.org": WAITLISTED,
        "b0@example.org": SUBMITTED,
        "observer@example.org": SUBMITTED,
    }


@pytest.mark.parametrize("settings_overrides", [{"capacity": 2}])
def test_only_seat_holding_statuses_count_against_capacity(app, meeting, people, register):
    register(app.test_client(), email="unconfirmed@example.org")  # holds no seat yet
    _c, first = people("first@example.org")
    with acting(app):
        workflow.reject(first, None, "Not eligible")
    people("second@example.org")
    people("third@example.org")

    assert statuses(meeting) == {
        "unconfirmed@example.org": UNCONFIRMED,
        "first@example.org": REJECTED,
        "second@example.org": SUBMITTED,
        "third@example.org": SUBMITTED,
    }
    assert seats.seats_taken(meeting.id) == 2


# The focal point ------------------------------------------------------------------------


def test_focal_point_sees_own_networks_registrations_only(
    app, meeting, people, register, focal_point
):
    people("mine@example.org", network=0)
    people("theirs@example.org", network=1)
    register(app.test_client(), email="unconfirmed@example.org")
    client = focal_point(0)

    page = client.get(network_page(meeting))

    assert page.status_code == 200
    assert "mine@example.org" in page.text
    assert "theirs@example.org" not in page.text
    assert "unconfirmed@example.org" not in page.text
    assert "1 seat taken" in page.text


def test_focal_point_endorses_in_place(app, meeting, people, focal_point, sent_mail):
    _c, registration = people("ana@example.org", network=0)
    client = focal_point(0)

    response = act(client, meeting, registration, "endorse")

    assert response.status_code == 200
    row = response.text.strip()
    assert row.startswith(f'<tr id="registration-{registration.id}">')
    assert "<html" not in row
    assert "Endorsed by the network: awaiting the organisers" in row
    assert ">Endorse<" not in row and ">Decline<" in row
    registration = registration_of(meeting, "ana@example.org")
    assert registration.status == ENDORSED
    assert registration.endorsed_at is not None
    assert steps(registration)[-1] == (
        SUBMITTED,
        ENDORSED,
        f"fp.{meeting.networks[0].slug}@example.org",
    )
    [entry] = audit_entries("registration.endorse")
    assert entry.target_id == str(registration.id)
    assert subjects(sent_mail, "ana@example.org")[-1] == (
        f"Your network endorsed your registration: {meeting.title}"
    )


def test_focal_point_endorses_without_javascript(meeting, people, focal_point):
    _c, registration = people("ana@example.org", network=0)

    response = act(focal_point(0), meeting, registration, "endorse", htmx=False)

    assert response.status_code == 303
    assert response.headers["Location"] == network_page(meeting)
    assert registration_of(meeting, "ana@example.org").status == ENDORSED


def test_focal_point_declines_with_a_reason(app, meeting, people, focal_point, sent_mail):
    _c, registration = people("ana@example.org", network=0)
    client = focal_point(0)

    response = act(client, meeting, registration, "decline", reason="Not one of ours")

    assert response.status_code == 200
    assert "Not endorsed by the network" in response.text
    registration = registration_of(meeting, "ana@example.org")
    assert registration.status == DECLINED
    assert registration.reason == "Not one of ours"
    assert steps(registration)[-1][:2] == (SUBMITTED, DECLINED)
    assert events_of(registration)[-1].note == "Not one of ours"
    assert len(audit_entries("registration.decline")) == 1
    message = sent_mail("ana@example.org")[-1]
    assert message["Subject"] == f"Your network did not endorse your registration: {meeting.title}"
    assert "Reason given: Not one of ours" in body(message)


@pytest.mark.parametrize("action", ["endorse", "decline"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "form"])
def test_another_networks_focal_point_is_refused_and_audited(
    meeting, people, focal_point, sent_mail, action, htmx
):
    _c, registration = people("ana@example.org", network=0)
    before = (steps(registration), len(sent_mail()))
    other = focal_point(1)

    response = act(other, meeting, registration, action, htmx=htmx)

    assert response.status_code == 403
    registration = registration_of(meeting, "ana@example.org")
    assert registration.status == SUBMITTED
    assert registration.endorsed_at is None
    assert (steps(registration), len(sent_mail())) == before
    [denied] = audit_entries("access.denied")
    assert denied.summary == f"{action} registration {registration.id}"
    assert denied.target_id == str(registration.id)
    assert denied.actor_email == f"fp.{meeting.networks[1].slug}@example.org"


def test_editing_the_id_in_the_url_is_refused(app, meeting, people, focal_point):
    _c, own = people("own@example.org", network=0)
    _c, foreign = people("foreign@example.org", network=1)
    client = focal_point(0)
    page = client.get(network_page(meeting)).text
    action = re.search(r'hx-post="(/registrations/\d+/endorse)"', page).group(1)
    assert action == f"/registrations/{own.id}/endorse"

    response = client.post(
        action.replace(str(own.id), str(foreign.id)),
        data={"csrf_token": csrf_token(page)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.text
    assert statuses(meeting) == {"own@example.org": SUBMITTED, "foreign@example.org": SUBMITTED}
    assert len(audit_entries("access.denied")) == 1
    assert audit_entries("registration.endorse") == []


def test_delegate_and_anonymous_cannot_endorse(app, meeting, people):
    delegate, registration = people("ana@example.org", network=0)

    own = act(delegate, meeting, registration, "endorse", htmx=False)
    anonymous = app.test_client().post(f"/registrations/{registration.id}/endorse")

    assert own.status_code == 403
    assert anonymous.status_code in (302, 400)
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED


def test_organiser_may_endorse_for_any_network(app, meeting, people, organiser):
    _c, registration = people("ana@example.org", network=1)
    auth = Auth(app.test_client())
    auth.login(organiser.email)

    response = act(auth.client, meeting, registration, "endorse", htmx=False)

    assert response.status_code == 303
    assert registration_of(meeting, "ana@example.org").status == ENDORSED


def test_network_page_of_someone_without_the_meetings_networks_is_refused(app, meeting, make_user):
    make_user("fp.elsewhere@example.org", FOCAL_POINT)
    auth = Auth(app.test_client())
    auth.login("fp.elsewhere@example.org")

    assert auth.client.get(network_page(meeting)).status_code == 403
    [denied] = audit_entries("access.denied")
    assert denied.summary == f"network registrations of {meeting.acronym}"


def test_endorsing_twice_is_a_conflict(meeting, people, focal_point):
    _c, registration = people("ana@example.org", network=0)
    client = focal_point(0)
    act(client, meeting, registration, "endorse")

    response = act(client, meeting, registration, "endorse")

    assert response.status_code == 409
    assert len([s for s in steps(registration) if s[1] == ENDORSED]) == 1


# The organisers' decision ---------------------------------------------------------------


def test_approval_requires_the_endorsement_when_the_setting_says_so(
    app, meeting, people, organiser, focal_point, sent_mail
):
    _c, registration = people("ana@example.org", network=0)

    with acting(app), pytest.raises(workflow.RegistrationError, match="not endorsed"):
        workflow.approve(registration, organiser)
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED

    act(focal_point(0), meeting, registration, "endorse")
    with acting(app):
        workflow.approve(registration_of(meeting, "ana@example.org"), organiser)

    registration = registration_of(meeting, "ana@example.org")
    assert registration.status == APPROVED
    assert steps(registration)[-1] == (ENDORSED, APPROVED, "organiser@example.org")
    assert len(audit_entries("registration.approve")) == 1
    assert subjects(sent_mail, "ana@example.org")[-1] == f"Registration approved: {meeting.title}"


@pytest.mark.parametrize("settings_overrides", [{"endorsement_required": False}])
def test_approval_without_endorsement_when_not_required(app, meeting, people, organiser):
    _c, registration = people("ana@example.org", network=0)

    with acting(app):
        workflow.approve(registration, organiser)

    assert registration_of(meeting, "ana@example.org").status == APPROVED


def test_observer_needs_no_endorsement(app, meeting, people, organiser):
    _c, registration = people("observer@example.org", network=None)

    with acting(app):
        workflow.approve(registration, organiser)

    assert registration_of(meeting, "observer@example.org").status == APPROVED


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1, "endorsement_required": False}])
def test_waiting_registration_cannot_be_approved(app, meeting, people, organiser):
    people("seated@example.org")
    _c, waiting = people("waiting@example.org")

    with acting(app), pytest.raises(workflow.RegistrationError):
        workflow.approve(waiting, organiser)

    assert registration_of(meeting, "waiting@example.org").status == WAITLISTED


def test_approval_mail_has_the_meetings_dates_as_a_calendar_file(
    app, meeting, people, organiser, smtp_server
):
    change_settings(meeting, endorsement_required=False)
    meeting.venue = "Convention Center"
    db.session.commit()
    _c, registration = people("ana@example.org", network=0)

    with acting(app):
        workflow.approve(registration, organiser)

    recipients, message = smtp_server.messages[-1]
    assert recipients == ["ana@example.org"]
    assert message["Subject"] == f"Registration approved: {meeting.title}"
    assert "is approved" in body(message)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "meeting.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == date(2023, 11, 21) == meeting.start_date
    # All-day: DTEND is the day after the last day.
    assert event.decoded("dtend") == date(2023, 11, 23)
    assert str(event["summary"]) == meeting.title
    assert str(event["location"]) == "Convention Center, Panama City"
    assert str(event["uid"]) == f"meeting-{meeting.acronym}@wenevents"
    assert str(event["url"]) == f"http://localhost/{meeting.acronym}/"


def test_rejection_needs_a_reason(app, meeting, people, organiser, sent_mail):
    _c, registration = people("ana@example.org", network=0)
    mails = len(sent_mail())

    for reason in ("", "   "):
        with acting(app), pytest.raises(workflow.RegistrationError, match="reason"):
            workflow.reject(registration_of(meeting, "ana@example.org"), organiser, reason)
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED
    assert len(sent_mail()) == mails

    with acting(app):
        workflow.reject(registration_of(meeting, "ana@example.org"), organiser, "Duplicate")

    registration = registration_of(meeting, "ana@example.org")
    assert registration.status == REJECTED
    assert registration.reason == "Duplicate"
    assert steps(registration)[-1] == (SUBMITTED, REJECTED, "organiser@example.org")
    message = sent_mail("ana@example.org")[-1]
    assert message["Subject"] == f"Registration not accepted: {meeting.title}"
    assert "Reason given: Duplicate" in body(message)


# Withdrawal and promotion ---------------------------------------------------------------


def withdraw(client, meeting):
    page = client.get(f"/{meeting.acronym}/registration")
    return client.post(
        f"/{meeting.acronym}/registration/withdraw",
        data={"csrf_token": csrf_token(page.text), "confirmed": "yes"},
    )


@pytest.mark.parametrize("settings_overrides", [{"capacity": 2, "network_quota": 1}])
def test_freed_seat_goes_to_the_next_waiting_person_who_fits_the_quota(
    app, meeting, people, sent_mail
):
    # Three networks: a seat each for A (net 0) and B (net 1); C (net 0) waits for the quota,
    # D (net 2) for the capacity.
    third = make_network()
    meeting.networks.append(third)
    db.session.commit()
    people("a@example.org", network=0)
    b_client, _b = people("b@example.org", network=1)
    people("c@example.org", network=0)
    people("d@example.org", network=2)
    assert statuses(meeting) == {
        "a@example.org": SUBMITTED,
        "b@example.org": SUBMITTED,
        "c@example.org": WAITLISTED,
        "d@example.org": WAITLISTED,
    }

    response = withdraw(b_client, meeting)

    assert response.status_code == 303
    assert statuses(meeting) == {
        "a@example.org": SUBMITTED,
        "b@example.org": WITHDRAWN,
        "c@example.org": WAITLISTED,  # first in line, but NET0's quota is full
        "d@example.org": SUBMITTED,
    }
    promoted = registration_of(meeting, "d@example.org")
    assert promoted.waitlisted_at is None
    assert events_of(promoted)[-1].note == "Promoted from the waiting list"
    assert steps(promoted)[-1] == (WAITLISTED, SUBMITTED, "")
    assert subjects(sent_mail, "d@example.org")[-1] == f"A seat is yours: {meeting.title}"
    assert "A seat has freed" in body(sent_mail("d@example.org")[-1])
    assert subjects(sent_mail, "b@example.org")[-1] == f"Registration withdrawn: {meeting.title}"
    assert steps(registration_of(meeting, "b@example.org"))[-1] == (
        SUBMITTED,
        WITHDRAWN,
        "b@example.org",
    )
    assert "A seat is yours" not in " ".join(subjects(sent_mail, "c@example.org"))


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_promotion_follows_the_order_of_the_waiting_list(meeting, people, sent_mail):
    first, _r = people("first@example.org", network=0)
    people("second@example.org", network=1)
    people("third@example.org", network=0)

    withdraw(first, meeting)

    assert statuses(meeting) == {
        "first@example.org": WITHDRAWN,
        "second@example.org": SUBMITTED,
        "third@example.org": WAITLISTED,
    }


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1, "auto_promote": False}])
def test_no_promotion_when_auto_promote_is_off(meeting, people, sent_mail):
    first, _r = people("first@example.org")
    people("second@example.org")

    withdraw(first, meeting)

    assert statuses(meeting) == {"first@example.org": WITHDRAWN, "second@example.org": WAITLISTED}
    assert "A seat is yours" not in " ".join(subjects(sent_mail, "second@example.org"))


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_withdrawing_from_the_waiting_list_promotes_nobody(meeting, people):
    people("seated@example.org")
    waiting, _r = people("waiting@example.org")
    people("last@example.org")

    withdraw(waiting, meeting)

    assert statuses(meeting) == {
        "seated@example.org": SUBMITTED,
        "waiting@example.org": WITHDRAWN,
        "last@example.org": WAITLISTED,
    }


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_declined_seat_goes_to_the_next_and_endorsement_while_waiting_is_kept(
    meeting, people, focal_point, sent_mail
):
    _c, seated = people("seated@example.org", network=0)
    _c, waiting = people("waiting@example.org", network=0)
    client = focal_point(0)
    act(client, meeting, waiting, "endorse")
    waiting = registration_of(meeting, "waiting@example.org")
    assert waiting.status == WAITLISTED and waiting.endorsed_at is not None
    assert steps(waiting)[-1][:2] == (WAITLISTED, WAITLISTED)

    act(client, meeting, seated, "decline")

    assert statuses(meeting) == {"seated@example.org": DECLINED, "waiting@example.org": ENDORSED}
    assert subjects(sent_mail, "waiting@example.org")[-1] == f"A seat is yours: {meeting.title}"


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_organiser_promotes_only_when_a_seat_is_free(app, meeting, people, organiser, sent_mail):
    people("first@example.org")
    _c, waiting = people("waiting@example.org")

    with acting(app), pytest.raises(workflow.RegistrationError, match="No seat"):
        workflow.promote(waiting, organiser)
    change_settings(meeting, capacity=2)
    with acting(app):
        workflow.promote(registration_of(meeting, "waiting@example.org"), organiser)

    assert registration_of(meeting, "waiting@example.org").status == SUBMITTED
    assert subjects(sent_mail, "waiting@example.org")[-1] == f"A seat is yours: {meeting.title}"


def test_withdrawing_twice_is_a_conflict(meeting, people):
    client, _r = people("ana@example.org")
    withdraw(client, meeting)

    assert withdraw(client, meeting).status_code == 409


# Edits ----------------------------------------------------------------------------------


def edit(client, meeting, **changes):
    """Save the edit form with the registration's current values and ``changes``."""
    page = client.get(f"/{meeting.acronym}/registration/edit")
    assert page.status_code == 200
    return client.post(
        f"/{meeting.acronym}/registration/edit",
        data={"csrf_token": csrf_token(page.text), **form_data(meeting, **changes)},
    )


@pytest.fixture
def approved(app, meeting, people, organiser, focal_point):
    """Ana of NET0, endorsed by its focal point and approved: ``(her client, registration)``."""
    client, registration = people("ana.silva@example.org", network=0)
    act(focal_point(0), meeting, registration, "endorse")
    with acting(app):
        workflow.approve(registration_of(meeting, "ana.silva@example.org"), organiser)
    return client, registration_of(meeting, "ana.silva@example.org")


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"organisation": "Police"}, "organisation"),
        ({"given_name": "Anna"}, "given_name"),
        ({"participation_role": "presenter"}, "participation_role"),
        ({"family_name": "Souza", "dietary": "Vegan"}, "family_name"),
    ],
)
def test_key_field_edit_sends_an_approved_registration_back(
    meeting, approved, sent_mail, changes, fields
):
    client, registration = approved
    before = len(events_of(registration))

    response = edit(client, meeting, **changes)

    assert response.status_code == 303
    registration = registration_of(meeting, "ana.silva@example.org")
    assert registration.status == ENDORSED  # endorsed before: back to the organisers
    for name, value in changes.items():
        assert getattr(registration, name) == value
    assert len(events_of(registration)) == before + 1
    assert steps(registration)[-1] == (APPROVED, ENDORSED, "ana.silva@example.org")
    assert events_of(registration)[-1].note == f"Details changed: {fields}"


@pytest.mark.parametrize("settings_overrides", [{"endorsement_required": False}])
def test_key_field_edit_of_an_unendorsed_approval_goes_back_to_submitted(
    app, meeting, people, organiser
):
    client, registration = people("ana.silva@example.org", network=0)
    with acting(app):
        workflow.approve(registration, organiser)

    edit(client, meeting, organisation="Police")

    assert registration_of(meeting, "ana.silva@example.org").status == SUBMITTED


@pytest.mark.parametrize(
    "changes",
    [
        {"dietary": "Vegetarian"},
        {"accessibility": "Step-free access"},
        {"arrival_date": "2023-11-19", "departure_date": "2023-11-24"},
        {"position": "Director", "title": "Dr", "language": "fr", "country_code": "CR"},
        {},
    ],
    ids=["dietary", "accessibility", "dates", "other", "nothing"],
)
def test_other_edits_keep_the_approval(meeting, approved, changes):
    client, registration = approved
    before = steps(registration)

    response = edit(client, meeting, **changes)

    assert response.status_code == 303
    registration = registration_of(meeting, "ana.silva@example.org")
    assert registration.status == APPROVED
    assert steps(registration) == before
    for name, value in changes.items():
        assert str(getattr(registration, name)) == value


def test_edit_is_checked_like_the_form(meeting, approved):
    client, _registration = approved

    response = edit(client, meeting, departure_date="2023-11-01", organisation="Police")

    assert response.status_code == 200
    registration = registration_of(meeting, "ana.silva@example.org")
    assert registration.status == APPROVED
    assert registration.organisation == "Customs Service"


def test_edit_cannot_change_the_address(meeting, approved):
    client, _registration = approved

    edit(client, meeting, email="someone.else@example.org")

    assert registration_of(meeting, "ana.silva@example.org") is not None
    assert registration_of(meeting, "someone.else@example.org") is None


def test_network_change_of_an_approved_registration_needs_the_new_networks_endorsement(
    meeting, approved
):
    client, _registration = approved

    edit(client, meeting, network_id=str(meeting.networks[1].id))

    registration = registration_of(meeting, "ana.silva@example.org")
    assert registration.network_id == meeting.networks[1].id
    assert registration.status == SUBMITTED
    assert registration.endorsed_at is None


@pytest.mark.parametrize("settings_overrides", [{"network_quota": 1}])
def test_network_change_respects_the_new_networks_quota(meeting, people):
    people("net1@example.org", network=1)
    client, _registration = people("net0@example.org", network=0)

    edit(client, meeting, network_id=str(meeting.networks[1].id))

    assert seats.seats_taken(meeting.id, meeting.networks[1].id) <= 1


def test_closed_registration_cannot_be_edited(meeting, people):
    client, _registration = people("ana.silva@example.org")
    withdraw(client, meeting)

    response = edit(client, meeting, organisation="Police")

    assert response.status_code == 303
    assert registration_of(meeting, "ana.silva@example.org").organisation == "Customs Service"
    page = client.get(f"/{meeting.acronym}/registration").text
    assert "This registration is closed; it can no longer be changed." in page


# The whole history, and its mail --------------------------------------------------------


def test_every_step_is_recorded_and_mailed(app, meeting, people, organiser, focal_point, sent_mail):
    change_settings(meeting, capacity=1)
    delegate, registration = people("ana.silva@example.org", network=0)
    waiting_client, _w = people("next@example.org", network=1)
    fp = f"fp.{meeting.networks[0].slug}@example.org"
    act(focal_point(0), meeting, registration, "endorse")
    with acting(app):
        workflow.approve(registration_of(meeting, "ana.silva@example.org"), organiser)
    edit(delegate, meeting, organisation="Police")
    with acting(app):
        workflow.approve(registration_of(meeting, "ana.silva@example.org"), organiser)
    withdraw(delegate, meeting)

    registration = registration_of(meeting, "ana.silva@example.org")
    assert steps(registration) == [
        ("", UNCONFIRMED, ""),
        (UNCONFIRMED, SUBMITTED, "ana.silva@example.org"),
        (SUBMITTED, ENDORSED, fp),
        (ENDORSED, APPROVED, "organiser@example.org"),
        (APPROVED, ENDORSED, "ana.silva@example.org"),
        (ENDORSED, APPROVED, "organiser@example.org"),
        (APPROVED, WITHDRAWN, "ana.silva@example.org"),
    ]
    title = meeting.title
    assert subjects(sent_mail, "ana.silva@example.org") == [
        f"Confirm your registration for {title}",
        f"Registration received: {title}",
        f"Your network endorsed your registration: {title}",
        f"Registration approved: {title}",
        f"Registration approved: {title}",
        f"Registration withdrawn: {title}",
    ]
    assert subjects(sent_mail, "next@example.org") == [
        f"Confirm your registration for {title}",
        f"On the waiting list: {title}",
        f"A seat is yours: {title}",
    ]
    for message in sent_mail():
        assert message["From"] == "wenevents <no-reply@localhost>"
        assert "Hello " in body(message)
    # Every message but the confirmation links to the person's registration page.
    for message in sent_mail("ana.silva@example.org")[1:]:
        assert f"http://localhost/{meeting.acronym}/registration" in body(message)
    # The history is on the delegate's page too.
    page = waiting_client.get(f"/{meeting.acronym}/registration").text
    assert "Promoted from the waiting list" in page
    assert registration.user.role == DELEGATE


def test_registering_again_after_withdrawal_reopens_the_same_registration(
    app, meeting, people, register_and_confirm
):
    client, first = people("back@example.org", given_name="Ana")
    page = client.get(f"/{meeting.acronym}/registration").text
    client.post(
        f"/{meeting.acronym}/registration/withdraw",
        data={"csrf_token": csrf_token(page), "confirmed": "yes"},
    )

    register_and_confirm("back@example.org", given_name="Anabel")

    again = registration_of(meeting, "back@example.org")
    assert (again.id, again.status, again.given_name) == (first.id, SUBMITTED, "Anabel")
    assert [e.to_status for e in events_of(again)][-3:] == [WITHDRAWN, UNCONFIRMED, SUBMITTED]


def test_edit_from_a_stale_page_is_refused_and_changes_nothing(app, meeting, people):
    client, registration = people("stale@example.org")
    edit = f"/{meeting.acronym}/registration/edit"
    page = client.get(edit).text
    opened_on = re.search(r'name="version" type="hidden" value="(\d+)"', page)[1]
    # Meanwhile the registration changes (a focal point endorses it, say).
    registration.endorsed_at = date(2023, 11, 1)
    db.session.commit()

    data = form_data(
        meeting, email="stale@example.org", organisation="Changed agency", version=opened_on
    )
    response = client.post(edit, data={"csrf_token": csrf_token(page), **data})

    assert re.findall(r'class="(?:error|message[^"]*)"[^>]*>(.*?)<', response.text) == []
    assert response.status_code == 303
    assert "changed since you opened this page" in client.get(response.headers["Location"]).text
    assert registration_of(meeting, "stale@example.org").organisation != "Changed agency"


def test_focal_point_declines_with_a_reason_the_delegate_sees(app, meeting, people, make_user):
    _client, registration = people("dele@example.org")
    make_user("fp@example.org", FOCAL_POINT, networks=[meeting.networks[0]])
    focal = Auth(app.test_client())
    focal.login("fp@example.org")
    page = focal.client.get(f"/{meeting.acronym}/network-registrations").text

    focal.client.post(
        f"/registrations/{registration.id}/decline",
        data={"csrf_token": csrf_token(page), "reason": "Not part of our delegation"},
    )

    declined = registration_of(meeting, "dele@example.org")
    assert (declined.status, declined.reason) == (DECLINED, "Not part of our delegation")


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_waitlisting_a_seated_registration_promotes_the_first_waiting(
    app, meeting, people, organiser
):
    _c, seated = people("seated@example.org", network=None)
    people("waiting@example.org", network=None)
    assert registration_of(meeting, "waiting@example.org").status == WAITLISTED

    with acting(app):
        workflow.waitlist(seated, organiser)

    assert registration_of(meeting, "waiting@example.org").status == SUBMITTED
    assert registration_of(meeting, "seated@example.org").status == WAITLISTED


def test_two_organisers_promoting_the_same_registration_promote_it_once(
    app, meeting, people, organiser
):
    _c, registration = people("twice@example.org", network=None)
    with acting(app):
        workflow.waitlist(registration, organiser)
    stale = registration_of(meeting, "twice@example.org")
    change_settings(meeting, auto_promote=False)

    with acting(app):
        workflow.promote(stale, organiser)
    with acting(app), pytest.raises(workflow.RegistrationError, match="Only a waiting"):
        workflow.promote(stale, organiser)

    promoted = [e for e in events_of(stale) if e.note == "Promoted from the waiting list"]
    assert len(promoted) == 1


# A decline that promotes, in place (out of band) ------------------------------------------


def oob_parts(html):
    """``{id: element html}`` of the out-of-band elements of an htmx answer."""
    return {
        m["id"]: m[0]
        for m in re.finditer(
            r'<(tr|p) id="(?P<id>[^"]+)" data-hx-swap-oob="true">.*?</\1>', html, re.S
        )
    }


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_decline_that_promotes_updates_the_promoted_row_and_the_count(meeting, people, focal_point):
    _c, seated = people("seated@example.org", network=0)
    _c, waiting = people("waiting@example.org", network=0)
    network = meeting.networks[0]
    client = focal_point(0)

    response = act(client, meeting, seated, "decline", reason="Not ours")

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="registration-{seated.id}">')
    parts = oob_parts(response.text)
    assert sorted(parts) == [f"network-{network.id}-seats", f"registration-{waiting.id}"]
    assert "Submitted: awaiting a decision" in parts[f"registration-{waiting.id}"]
    assert ">1 seat taken</p>" in parts[f"network-{network.id}-seats"]
    assert response.text.count("<template>") == 2
    assert registration_of(meeting, "seated@example.org").status == DECLINED
    assert registration_of(meeting, "waiting@example.org").status == SUBMITTED


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1}])
def test_decline_promoting_another_networks_delegate_shows_no_row_of_theirs(
    meeting, people, focal_point
):
    _c, seated = people("seated@example.org", network=0)
    people("other@example.org", network=1)

    response = act(focal_point(0), meeting, seated, "decline")

    assert response.status_code == 200
    assert sorted(oob_parts(response.text)) == [f"network-{meeting.networks[0].id}-seats"]
    assert "other@example.org" not in response.text
    assert registration_of(meeting, "other@example.org").status == SUBMITTED


@pytest.mark.parametrize("settings_overrides", [{"capacity": 1, "network_quota": 2}])
def test_decline_without_javascript_shows_the_promoted_row_and_count_on_the_page(
    meeting, people, focal_point
):
    _c, seated = people("seated@example.org", network=0)
    _c, waiting = people("waiting@example.org", network=0)
    client = focal_point(0)

    response = act(client, meeting, seated, "decline", htmx=False)

    assert response.status_code == 303
    page = client.get(network_page(meeting)).text
    row = re.search(rf'<tr id="registration-{waiting.id}">.*?</tr>', page, re.S)[0]
    assert "Submitted: awaiting a decision" in row
    assert f'<p id="network-{meeting.networks[0].id}-seats">1 of 2 seats taken</p>' in page
    assert "data-hx-swap-oob" not in page


def test_endorse_or_decline_of_an_unknown_registration_is_404(meeting, people, focal_point):
    _c, seated = people("seated@example.org", network=0)

    response = act(focal_point(0), meeting, seated, "decline", registration_id=999999)

    assert response.status_code == 404


# Withdrawing asks first ---------------------------------------------------------------------


def test_withdraw_link_opens_a_question_and_changes_nothing(meeting, people):
    client, _registration = people("ana@example.org", network=0)

    mine = client.get(f"/{meeting.acronym}/registration").text
    page = client.get(f"/{meeting.acronym}/registration/withdraw")

    assert f'href="/{meeting.acronym}/registration/withdraw">Withdraw my registration…</a>' in mine
    assert f'action="/{meeting.acronym}/registration/withdraw"' not in mine
    assert page.status_code == 200
    assert "<h1>Withdraw my registration?</h1>" in page.text
    assert '<input type="hidden" name="confirmed" value="yes">' in page.text
    assert "Your seat goes to the next person on the waiting list" in page.text
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED


def test_withdraw_post_without_confirmation_asks_first(meeting, people):
    client, _registration = people("ana@example.org", network=0)
    token = csrf_token(client.get(f"/{meeting.acronym}/registration").text)

    response = client.post(f"/{meeting.acronym}/registration/withdraw", data={"csrf_token": token})

    assert response.status_code == 200
    assert "<h1>Withdraw my registration?</h1>" in response.text
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED


def test_withdraw_confirmed_withdraws_and_goes_back(meeting, people):
    client, _registration = people("ana@example.org", network=0)
    token = csrf_token(client.get(f"/{meeting.acronym}/registration/withdraw").text)

    response = client.post(
        f"/{meeting.acronym}/registration/withdraw", data={"csrf_token": token, "confirmed": "yes"}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{meeting.acronym}/registration"
    assert registration_of(meeting, "ana@example.org").status == WITHDRAWN
    assert "Your registration is withdrawn." in client.get(response.headers["Location"]).text


def test_withdraw_without_the_csrf_token_is_refused(meeting, people):
    client, _registration = people("ana@example.org", network=0)

    response = client.post(f"/{meeting.acronym}/registration/withdraw", data={"confirmed": "yes"})

    assert response.status_code == 400
    assert registration_of(meeting, "ana@example.org").status == SUBMITTED


def test_withdraw_page_of_a_closed_registration_goes_back_with_a_message(meeting, people):
    client, _registration = people("ana@example.org", network=0)
    withdraw(client, meeting)

    response = client.get(f"/{meeting.acronym}/registration/withdraw")

    assert response.status_code == 303
    assert "This registration is closed already." in client.get(response.headers["Location"]).text


def test_withdraw_page_without_a_registration_is_404(app, meeting, make_user):
    make_user("nobody@example.org", DELEGATE)
    auth = Auth(app.test_client())
    auth.login("nobody@example.org")

    assert auth.client.get(f"/{meeting.acronym}/registration/withdraw").status_code == 404
