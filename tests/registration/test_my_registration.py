"""One's own registration page: every detail and answer one gave, read-only with a link to
edit while editing is allowed; when and where one may upload one's network's slides; and
the meeting page's one-click way to the upload page."""

import re
from datetime import datetime

import pytest

from tests.conftest import PASSWORD
from tests.factories import make_item, make_registration, make_session
from wenevents.accounts.models import DELEGATE
from wenevents.extensions import db
from wenevents.registration.models import Question

ME = "me@example.org"


@pytest.fixture
def signed_in(make_user, auth, meeting):
    """``signed_in(**registration)``: a delegate with a registration for ``meeting``."""

    def make(**fields):
        user = make_user(ME, DELEGATE)
        values = {
            "network_id": meeting.networks[0].id,
            "participation_role": "network_delegate",
            **fields,
        }
        registration = make_registration(meeting, email=ME, user_id=user.id, **values)
        auth.login(ME, PASSWORD)
        return registration

    return make


def facts(html):
    """``{term: description}`` of the page's definition lists, tags and spaces squeezed."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    return {dt: " ".join(re.sub(r"<[^>]+>", "", dd).split()) for dt, dd in pairs}


def presenting(meeting, network_index=0):
    make_item(make_session(meeting), network_id=meeting.networks[network_index].id)


def test_my_registration_shows_participation_language_needs_consent_and_answers(
    client, meeting, signed_in
):
    question = Question(
        meeting_id=meeting.id, kind="multiple_choice", label="Workshops", choices=["A", "B"]
    )
    unanswered = Question(meeting_id=meeting.id, kind="short_text", label="Badge name", position=1)
    db.session.add_all([question, unanswered])
    db.session.commit()
    signed_in(
        language="fr",
        dietary="Vegetarian",
        accessibility="",
        consent_list=True,
        answers={str(question.id): ["A", "B"]},
    )

    html = client.get(f"/{meeting.acronym}/registration").text

    shown = facts(html)
    assert shown["Participation"] == "Network delegate"
    assert shown["Preferred language"] == "French"
    assert shown["Dietary needs"] == "Vegetarian"
    assert shown["Accessibility needs"] == "None given"
    assert shown["Participants list"] == "You agreed to be listed (name, organisation, country)"
    assert shown["Workshops"] == "A, B"
    assert shown["Badge name"] == "No answer"
    assert f'href="/{meeting.acronym}/registration/edit">Edit my details</a>' in html


def test_closed_registration_shows_its_details_without_an_edit_link(client, meeting, signed_in):
    signed_in(status="declined")

    html = client.get(f"/{meeting.acronym}/registration").text

    assert facts(html)["Participation"] == "Network delegate"
    assert "Edit my details" not in html
    assert "Withdraw my registration" not in html


def test_endorsed_delegate_of_a_presenting_network_gets_the_upload_link_and_deadline(
    client, meeting, signed_in
):
    meeting.materials_deadline = datetime(2023, 11, 14, 17, 0)
    db.session.commit()
    presenting(meeting)
    signed_in(status="endorsed")

    html = client.get(f"/{meeting.acronym}/registration").text

    assert "presents at this meeting: you may upload its slides." in html
    assert "Upload them by " in html and "later files are marked late." in html
    assert f'<a class="button" href="/{meeting.acronym}/materials/upload">Upload slides</a>' in html


def test_submitted_delegate_is_told_when_they_may_upload(client, meeting, signed_in):
    presenting(meeting)
    signed_in(status="submitted")

    html = client.get(f"/{meeting.acronym}/registration").text

    assert "Once your network endorses your registration" in html
    assert "/materials/upload" not in html


def test_delegate_of_a_network_that_does_not_present_sees_no_slides_section(
    client, meeting, signed_in
):
    presenting(meeting, network_index=1)
    signed_in(status="approved")

    html = client.get(f"/{meeting.acronym}/registration").text

    assert "slides-heading" not in html
    assert "/materials/upload" not in html


@pytest.mark.parametrize(("status", "linked"), [("approved", True), ("submitted", False)])
def test_meeting_page_links_to_the_upload_page_for_a_delegate_who_may_upload(
    client, meeting, signed_in, status, linked
):
    presenting(meeting)
    signed_in(status=status)

    html = client.get(f"/{meeting.acronym}/").text

    link = f'href="/{meeting.acronym}/materials/upload">Upload slides and documents</a>'
    assert (link in html) is linked


def test_meeting_page_has_no_upload_link_for_visitors(client, meeting):
    presenting(meeting)

    assert "/materials/upload" not in client.get(f"/{meeting.acronym}/").text
