"""Organisers set a meeting's registration: window, seats, questions, participants list."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, PASSWORD, audit_entries, csrf_token, field_error
from tests.registration.conftest import settings_of
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.extensions import db
from wenevents.registration.models import APPROVED, Question, Registration


def settings_url(meeting):
    return f"/manage/{meeting.acronym}/registration/settings"


def token(client, meeting):
    return csrf_token(client.get(settings_url(meeting)).text)


def settings_data(**overrides):
    return {
        "opens_at": "", "closes_at": "", "capacity": "", "network_quota": "",
        "endorsement_required": "y", "auto_promote": "y", "travel_days": "3",
        "participants_list": "hidden", **overrides,
    }  # fmt: skip


def test_settings_saved_with_times_in_meeting_zone(client, organiser, meeting):
    data = settings_data(opens_at="2023-11-01T09:00", closes_at="2023-11-15T17:30", capacity="80")

    response = client.post(
        settings_url(meeting), data={"csrf_token": token(client, meeting), **data}
    )

    assert response.status_code == 303
    settings = settings_of(meeting)
    # America/Panama is UTC−5 all year.
    assert (settings.opens_at, settings.closes_at) == (
        datetime(2023, 11, 1, 14, 0),
        datetime(2023, 11, 15, 22, 30),
    )
    assert settings.capacity == 80
    page = client.get(settings_url(meeting)).text
    assert 'value="2023-11-01T09:00"' in page
    assert audit_entries("registration.settings")[-1].details["fields"] == [
        "capacity", "closes_at", "opens_at",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"opens_at": "2023-11-02T09:00", "closes_at": "2023-11-01T09:00"}, "closes_at",
         "Closing comes after opening."),
        ({"capacity": "-1"}, "capacity", "Number must be between 0 and 100000."),
        ({"travel_days": "30"}, "travel_days", "Number must be between 0 and 14."),
        ({"capacity": "many"}, "capacity", "Not a valid integer value."),
    ],
)  # fmt: skip
def test_settings_bad_values_get_message_at_field(
    client, organiser, meeting, overrides, field, message
):
    before = settings_of(meeting).capacity

    response = client.post(
        settings_url(meeting),
        data={"csrf_token": token(client, meeting), **settings_data(**overrides)},
    )

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert settings_of(meeting).capacity == before


@pytest.mark.parametrize("role", [FOCAL_POINT, DELEGATE])
def test_settings_for_non_organiser_are_refused(client, make_user, auth, meeting, role):
    make_user("someone@example.org", role)
    auth.login("someone@example.org", PASSWORD)

    response = client.get(settings_url(meeting))

    assert response.status_code == 403
    assert len(audit_entries("access.denied")) == 1


def test_questions_added_moved_edited_deleted_in_place(client, organiser, meeting):
    base = f"/manage/{meeting.acronym}/registration/questions"
    csrf = token(client, meeting)

    client.post(base, data={"csrf_token": csrf, "new-label": "Visa needed?", "new-kind": "yes_no",
                            "new-required": "y"}, headers=HTMX)  # fmt: skip
    added = client.post(base, data={"csrf_token": csrf, "new-label": "Field trip",
                                    "new-kind": "single_choice", "new-choices": "Canal\nForest"},
                        headers=HTMX)  # fmt: skip
    first, second = db.session.scalars(select(Question).order_by(Question.position)).all()
    moved = client.post(f"{base}/{second.id}/move", data={"csrf_token": csrf, "direction": "up"},
                        headers=HTMX)  # fmt: skip
    edited = client.post(
        f"{base}/{first.id}",
        data={"csrf_token": csrf, f"q{first.id}-label": "Do you need a visa?",
              f"q{first.id}-kind": "yes_no"},
        headers=HTMX,
    )  # fmt: skip
    deleted = client.post(f"{base}/{second.id}/delete", data={"csrf_token": csrf}, headers=HTMX)

    assert added.text.lstrip().startswith('<div id="questions">')
    assert re.findall(r"<strong>(.*?)</strong>", moved.text) == ["Field trip", "Visa needed?"]
    assert edited.text.lstrip().startswith(f'<li id="question-{first.id}" class="question">')
    assert re.findall(r"<strong>(.*?)</strong>", deleted.text) == ["Do you need a visa?"]
    remaining = db.session.scalars(select(Question)).all()
    assert [(q.label, q.kind, q.required) for q in remaining] == [
        ("Do you need a visa?", "yes_no", False)
    ]


def _question(meeting, label="Visa needed?", kind="yes_no"):
    question = Question(meeting_id=meeting.id, kind=kind, label=label, position=1)
    db.session.add(question)
    db.session.commit()
    return question


def test_question_edit_link_without_javascript_opens_it_in_the_page(client, organiser, meeting):
    question = _question(meeting)
    page = client.get(settings_url(meeting)).text
    link = re.search(rf'<a href="([^"]*/questions/{question.id}#question-{question.id})"', page)

    response = client.get(link.group(1).replace("&amp;", "&"))

    assert response.status_code == 200
    assert response.text.startswith("<!doctype html>")
    assert f'<li id="question-{question.id}" class="question question-editing">' in response.text
    label = rf'<input[^>]*name="q{question.id}-label"[^>]*value="Visa needed\?"'
    assert re.search(label, response.text)
    assert response.text.count("question-editing") == 1
    # The rest of the page is there: the settings form and the form for a new question.
    assert 'name="capacity"' in response.text
    assert 'name="new-label"' in response.text


def test_question_saved_without_javascript_goes_back_to_the_settings(client, organiser, meeting):
    question = _question(meeting)
    url = f"/manage/{meeting.acronym}/registration/questions/{question.id}"
    data = {"csrf_token": token(client, meeting), f"q{question.id}-kind": "yes_no"}

    refused = client.post(url, data={**data, f"q{question.id}-label": ""})
    saved = client.post(url, data={**data, f"q{question.id}-label": "Do you need a visa?"})

    assert refused.status_code == 200
    assert field_error(refused.text, f"q{question.id}-label") == "This field is required."
    assert 'name="capacity"' in refused.text
    assert saved.status_code == 303
    assert saved.headers["Location"] == settings_url(meeting)
    assert db.session.get(Question, question.id).label == "Do you need a visa?"


def test_choice_question_needs_two_choices(client, organiser, meeting):
    response = client.post(
        f"/manage/{meeting.acronym}/registration/questions",
        data={"csrf_token": token(client, meeting), "new-label": "Trip",
              "new-kind": "multiple_choice", "new-choices": "Only one"},
        headers=HTMX,
    )  # fmt: skip

    assert field_error(response.text, "new-choices") == "Give at least two choices, one per line."
    assert db.session.scalars(select(Question)).all() == []


def test_question_of_other_meeting_is_404(client, organiser, meeting, make_registration_meeting):
    other = make_registration_meeting()
    question = Question(meeting_id=other.id, kind="short_text", label="Other", position=1)
    db.session.add(question)
    db.session.commit()

    response = client.post(
        f"/manage/{meeting.acronym}/registration/questions/{question.id}/delete",
        data={"csrf_token": token(client, meeting)},
    )

    assert response.status_code == 404
    assert db.session.get(Question, question.id) is not None


def _approved(meeting, email, consent, family="Zed"):
    registration = Registration(
        meeting_id=meeting.id, email=email, given_name="Ana", family_name=family,
        organisation="Customs", country_code="PA", participation_role="observer",
        arrival_date=meeting.start_date, departure_date=meeting.end_date, status=APPROVED,
        consent_list=consent,
    )  # fmt: skip
    db.session.add(registration)
    db.session.commit()
    return registration


@pytest.mark.parametrize(
    ("visibility", "who", "status"),
    [
        ("hidden", None, 404),
        ("public", None, 200),
        ("participants", None, 302),
        ("participants", "approved", 200),
        ("participants", "stranger", 403),
    ],
)
def test_participants_list_follows_visibility_and_consent(
    client, make_user, auth, meeting, visibility, who, status
):
    settings = settings_of(meeting)
    settings.participants_list = visibility
    db.session.commit()
    _approved(meeting, "listed@example.org", consent=True, family="Alba")
    _approved(meeting, "private@example.org", consent=False, family="Secret")
    if who == "approved":
        make_user("listed@example.org", DELEGATE)
        auth.login("listed@example.org", PASSWORD)
    elif who == "stranger":
        make_user("stranger@example.org", DELEGATE)
        auth.login("stranger@example.org", PASSWORD)

    response = client.get(f"/{meeting.acronym}/participants")

    assert response.status_code == status
    if status == 200:
        assert "ALBA" in response.text
        assert "SECRET" not in response.text
        assert "listed@example.org" not in response.text
