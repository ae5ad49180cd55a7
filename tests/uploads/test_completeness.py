"""The organisers' completeness page, reminders to focal points, and the deadline."""

import re

import pytest

from tests.accounts.conftest import audit_entries, csrf_token, field_error, outbox
from tests.uploads import conftest as uploads
from tests.uploads.conftest import PDF, upload
from wenevents.extensions import db
from wenevents.networks.models import FocalPoint

app = uploads.app
client = uploads.client
make_user = uploads.make_user
auth = uploads.auth
new_auth = uploads.new_auth
app_config = uploads.app_config
world = uploads.world
people = uploads.people

PAGE = "/manage/gm/materials/completeness"


@pytest.fixture
def organiser(client, auth, people):
    auth.login("org@example.org")
    return client


def states(page, row_id):
    row = re.search(rf'<tr id="{row_id}".*?</tr>', page, re.S).group(0)
    return re.findall(r'class="state state-(\w+)"', row)


def test_completeness_is_for_organisers(client, auth, people, world):
    assert client.get(PAGE).status_code == 302
    auth.login("fp@naweg.example.org")
    assert client.get(PAGE).status_code == 403


def test_completeness_shows_in_late_and_missing_per_language(
    app, organiser, world, people, new_auth
):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet_en.pdf")])
    world.meeting.materials_deadline = uploads.datetime_in_past()
    db.session.commit()
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF + b"fr", "sheet_fr.pdf")])
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF, "talk.pdf")])

    page = organiser.get(PAGE).text

    assert states(page, f"network-{world.naweg.id}") == ["in", "late", "missing"]
    assert states(page, f"network-{world.latf.id}") == ["missing", "missing", "missing"]
    presentations = re.findall(r"<td>Work of (\w+)</td>.*?</tr>", page, re.S)
    assert presentations == ["NAWEG", "LATF"]
    assert "1 of 1" in page and "0 of 1" in page


def remind(client, network_id, htmx=False):
    token = csrf_token(client.get(PAGE).text)
    headers = {"HX-Request": "true", "HX-Target": f"network-{network_id}"} if htmx else {}
    return client.post(
        f"/manage/gm/materials/remind/{network_id}", data={"csrf_token": token}, headers=headers
    )


def test_reminder_mails_focal_points_and_is_logged(app, organiser, world, people):
    db.session.add(FocalPoint(name="Ana", email="Ana@Naweg.example.org", networks=[world.naweg]))
    db.session.commit()

    response = remind(organiser, world.naweg.id, htmx=True)

    assert response.status_code == 200
    assert "Reminder sent to 2 focal point address(es) of NAWEG." in response.text
    assert response.text.startswith(f'<tr id="network-{world.naweg.id}"')
    messages = outbox(app)
    assert sorted(m["To"] for m in messages) == ["ana@naweg.example.org", "fp@naweg.example.org"]
    body = messages[0].get_content()
    assert "the information sheet of North America WEG" in body
    assert 'slides for "Work of NAWEG" (session 1)' in body
    assert "http://localhost/gm/materials/upload" in body
    [entry] = audit_entries("materials.reminder")
    assert entry.summary == "gm: reminder to NAWEG (2 addresses)"
    assert entry.actor.email == "org@example.org"


def test_reminder_without_any_address_sends_nothing(app, organiser, world, people):
    people["latf"].is_disabled = True
    db.session.commit()

    response = remind(organiser, world.latf.id)

    assert response.status_code == 303
    page = organiser.get(PAGE).text
    assert "LATF has no focal point with an email address: nothing was sent." in page
    assert outbox(app) == []
    assert audit_entries("materials.reminder") == []


def test_reminder_for_a_network_not_in_the_meeting_is_404(app, organiser, world):
    from tests.factories import make_network

    other = make_network()
    assert remind(organiser, other.id).status_code == 404
    assert outbox(app) == []


def test_reminder_needs_an_organiser(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        f"/manage/gm/materials/remind/{world.naweg.id}", data={"csrf_token": token}
    )

    assert response.status_code == 403
    assert outbox(app) == []


def test_deadline_is_set_in_the_meetings_time_zone(app, organiser, world):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/deadline",
        data={"csrf_token": token, "deadline": "2023-11-14T17:00"},
    )

    assert response.status_code == 303
    db.session.expire_all()
    # 17:00 in Panama (UTC-05:00) is 22:00 UTC.
    assert world.meeting.materials_deadline.isoformat() == "2023-11-14T22:00:00"
    [entry] = audit_entries("materials.deadline")
    assert entry.details["after"] == "2023-11-14T22:00:00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "Not a valid datetime value."),
        ("1850-01-01T10:00", "Give a date between 2000 and 2100."),
    ],
)
def test_bad_deadline_gets_message_and_changes_nothing(app, organiser, world, value, message):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/deadline", data={"csrf_token": token, "deadline": value}
    )

    assert response.status_code == 422
    assert field_error(response.text, "deadline") == message
    db.session.expire_all()
    assert world.meeting.materials_deadline is None
