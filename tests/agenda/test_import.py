"""Importing a frab or pretalx schedule.json into a draft agenda: preview, confirm, CLI."""

import io
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import audit_entries, csrf_token, field_error
from tests.factories import (
    make_document,
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
)
from tests.schemas import schemas_dir
from tests.test_html_validity import check
from wenevents.accounts.models import DELEGATE
from wenevents.agenda import import_plan, importing, releases
from wenevents.agenda.models import BREAK, Session
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting
from wenevents.uploads.models import Document

# The accounts suite's app (its client forgets what it loaded after each request), users
# and signing in.


def pretalx():
    """A real pretalx export (DemoCon), from the reference schemas' folder."""
    return schemas_dir() / "example-pretalx-democon.schedule.json"


_PLAN = re.compile(r'name="plan" type="hidden" value="([^"]+)"')


@pytest.fixture
def democon():
    """pretalx's DemoCon: 14–16 Dec 2020, times at +01:00; our meeting takes two days."""
    return make_meeting(
        start_date=date(2020, 12, 14), end_date=date(2020, 12, 15), timezone="Europe/Berlin"
    )


def page_path(meeting):
    return f"/manage/{meeting.acronym}/agenda/import"


def upload(client, meeting, data, filename="schedule.json"):
    token = csrf_token(client.get(page_path(meeting)).text)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename)}
    )
    return client.post(
        page_path(meeting), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def confirm(client, meeting, preview_page, plan=None):
    token = csrf_token(preview_page)
    plan = plan if plan is not None else unescape(_PLAN.search(preview_page)[1])
    return client.post(f"{page_path(meeting)}/confirm", data={"csrf_token": token, "plan": plan})


def session_count(meeting=None):
    query = select(func.count()).select_from(Session)
    if meeting is not None:
        query = query.where(Session.meeting_id == meeting.id)
    return db.session.scalar(query)


def agenda_of(meeting):
    """The draft as (number, title, day, start, end, room, chair, public, [items])."""
    return [
        (
            s.number, s.title, s.day, s.starts_at, s.ends_at, s.room, s.chair, s.is_public,
            [(i.kind, i.title, i.presenters, i.network and i.network.acronym, i.duration_minutes)
             for i in s.items],
        )
        for s in releases.draft_sessions(meeting)
    ]  # fmt: skip


def schedule(events, meta=None, **conference):
    """A small schedule.json: events are (date, duration, room, track, title, **more)."""
    days = {}
    for moment, duration, room, track, title, *more in events:
        event = {"date": moment, "duration": duration, "room": room, "track": track}
        event |= {"title": title, "type": "Talk", "persons": [], **(more[0] if more else {})}
        day = days.setdefault(moment[:10], {})
        day.setdefault(room, []).append(event)
    body = {
        "acronym": "small",
        "title": "Small",
        "days": [{"date": d, "rooms": rooms} for d, rooms in sorted(days.items())],
        **conference,
    }
    if meta is not None:
        body["meta"] = meta
    return json.dumps({"schedule": {"version": "1", "conference": body}}).encode()


# Permissions ----------------------------------------------------------------------------


def test_import_page_sends_anonymous_to_sign_in(client):
    meeting = make_meeting()

    token = csrf_token(client.get("/login").text)

    page = client.get(page_path(meeting))
    confirmation = client.post(
        f"{page_path(meeting)}/confirm", data={"csrf_token": token, "plan": "x"}
    )

    assert page.status_code == 302
    assert page.headers["Location"] == f"/login?next=/manage/{meeting.acronym}/agenda/import"
    assert (confirmation.status_code, confirmation.headers["Location"]) == (302, "/login?next=/")
    assert session_count() == 0


def test_import_is_refused_to_a_delegate(client, make_user, auth):
    meeting = make_meeting()
    make_user("delegate@example.org", DELEGATE)
    auth.login("delegate@example.org")
    token = csrf_token(client.get("/account").text)

    page = client.get(page_path(meeting))
    sent = client.post(
        page_path(meeting),
        data={"csrf_token": token, "file": (io.BytesIO(b"{}"), "schedule.json")},
        content_type="multipart/form-data",
    )
    confirmation = client.post(
        f"{page_path(meeting)}/confirm", data={"csrf_token": token, "plan": "x"}
    )

    assert (page.status_code, sent.status_code, confirmation.status_code) == (403, 403, 403)
    assert [e.summary for e in audit_entries("access.denied")] == [
        "organiser page import_schedule",
        "organiser page import_schedule",
        "organiser page confirm_import",
    ]


def test_import_page_of_unknown_meeting_is_404(client, organiser):
    assert client.get("/manage/nosuchmeeting/agenda/import").status_code == 404


# pretalx -------------------------------------------------------------------------------


def test_pretalx_example_previews_without_writing(client, organiser, democon):
    response = upload(client, democon, pretalx().read_bytes())
    html = unescape(response.text)

    assert response.status_code == 200
    assert "From “DemoCon” (36 events), importing would create 17 sessions with 24 items" in html
    assert "Talks outside the meeting's dates, not imported: " in html
    assert "“Talk” → presentation (18); “Workshop” → discussion (6)." in html
    assert (
        "The agenda has no place for these, not imported: speakers' details (biographies, "
        "pictures, answers) (43); abstracts and descriptions of talks (24)."
    ) in html
    assert "Focused 5thgeneration hardware" in html
    assert session_count() == 0
    assert audit_entries("agenda.imported") == []


def test_pretalx_example_imports_on_confirm(client, organiser, democon):
    preview = upload(client, democon, pretalx().read_bytes())

    response = confirm(client, democon, preview.text)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/manage/{democon.acronym}/agenda/"
    agenda = agenda_of(democon)
    assert len(agenda) == 17
    assert [s[0] for s in agenda] == list(range(1, 18))
    assert agenda[0] == (
        1, "Phased", date(2020, 12, 14), time(9, 0), time(9, 30), "Gray Room", "", True,
        [("presentation", "Focused 5thgeneration hardware", "Brian Robinson", None, 30)],
    )  # fmt: skip
    assert agenda[1][1:6] == (
        "Horizontal",
        date(2020, 12, 14),
        time(9, 0),
        time(10, 30),
        "Tan Room",
    )
    assert agenda[1][8] == [
        ("discussion", "Managed stable function", "Jeremy Beck", None, 90),
    ]
    (entry,) = audit_entries("agenda.imported")
    assert entry.summary == f"{democon.acronym}: 17 sessions, 24 items imported from DemoCon"
    assert entry.actor_email == "org@example.org"


def test_import_converts_times_to_the_meeting_time_zone(client, organiser):
    meeting = make_meeting(
        start_date=date(2020, 12, 14), end_date=date(2020, 12, 14), timezone="America/Panama"
    )

    html = unescape(upload(client, meeting, pretalx().read_bytes()).text)
    confirm(client, meeting, html)

    assert "Times were converted to the meeting's time zone, America/Panama." in html
    assert agenda_of(meeting)[0][2:5] == (date(2020, 12, 14), time(3, 0), time(3, 30))


# Round trip -----------------------------------------------------------------------------


def _snapshot_without_identity(release):
    """A release's sessions and items, without what is new for any new row."""
    result = []
    for session in release.snapshot["sessions"]:
        keep = {k: v for k, v in session.items() if k not in ("uid", "ref", "sequence", "modified")}
        keep["items"] = [
            {k: v for k, v in item.items() if k not in ("uid", "sequence", "modified", "session")}
            for item in session["items"]
        ]
        result.append(keep)
    return result


def test_export_imported_into_an_empty_meeting_gives_the_same_agenda(client, demo, organiser):
    source = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    first, second, third = source.sessions[:3]
    first.items[1].presenters = "Ana Ruiz, Li Wei"
    first.items[2].duration_minutes = None
    second.room = ""
    second.description, second.objectives = "Two\n\nparagraphs.", "Agree on one thing."
    third.chair = "Ana Ruiz, Tom Ek"
    third.items[0].presenters = "Tom Ek"  # a chair who also presents
    source.sessions.append(
        Session(
            number=9, title="Reception", day=date(2023, 11, 22), starts_at=time(18, 0),
            ends_at=time(19, 0), room="Terrace", chair="Host", description="Drinks.",
        )
    )  # fmt: skip
    db.session.commit()
    original = publish_agenda(source)
    exported = client.get("/gmwen4/schedule.json").data
    target = make_meeting(networks=list(source.networks))

    preview = upload(client, target, exported)
    assert preview.status_code == 200
    assert field_error(preview.text, "file") is None
    confirm(client, target, preview.text)
    imported = publish_agenda(db.session.get(Meeting, target.id))

    assert _snapshot_without_identity(imported) == _snapshot_without_identity(original)
    assert len(imported.snapshot["sessions"]) == 9


def test_our_export_preview_has_no_notes(client, demo, organiser):
    source = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    target = make_meeting(networks=list(source.networks))

    html = unescape(upload(client, target, client.get("/gmwen4/schedule.json").data).text)

    assert "would create 8 sessions with 30 items" in html
    assert "Not imported, and warnings" not in html


def test_unknown_network_is_listed_and_left_empty(client, demo, organiser):
    source = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    target = make_meeting(networks=[n for n in source.networks if n.acronym != "LATF"])

    html = unescape(upload(client, target, client.get("/gmwen4/schedule.json").data).text)
    confirm(client, target, html)

    assert "Subtitles that are no network of this meeting, so no network is set: “LATF” (2)." in (
        html
    )
    first_session_items = agenda_of(target)[0][8]
    assert [network for *_, network, _minutes in first_session_items] == [
        None,
        "ASEAN-WEN",
        "SAWEN",
        "HA-WEN",
        None,
        None,
    ]


# Other files ------------------------------------------------------------------------------


def test_network_found_in_a_title_and_tracks_split_at_gaps(client, organiser):
    network = make_network(acronym="LATF")
    meeting = make_meeting(networks=[network])
    data = schedule(
        [
            ("2023-11-21T09:00:00-05:00", "00:30", "Hall", "Africa", "LATF update"),
            ("2023-11-21T09:30:00-05:00", "00:20", "Hall", "Africa", "Kenya", {"type": "Panel"}),
            ("2023-11-21T11:00:00-05:00", "00:15", "Hall", "Africa", "Coffee", {"type": "Break"}),
            ("2023-11-21T12:00:00-05:00", "0:45", "Annex", None, "Lone talk"),
            ("2023-11-24T12:00:00-05:00", "00:45", "Annex", None, "Too late"),
        ]
    )

    html = unescape(upload(client, meeting, data).text)
    confirm(client, meeting, html)

    assert "Talks outside the meeting's dates, not imported: Too late (Fri 24 Nov 2023)." in html
    assert agenda_of(meeting) == [
        (1, "Africa", date(2023, 11, 21), time(9, 0), time(9, 50), "Hall", "", True,
         [("presentation", "LATF update", "", "LATF", 30),
          ("discussion", "Kenya", "", None, 20)]),
        (2, "Africa", date(2023, 11, 21), time(11, 0), time(11, 15), "Hall", "", True,
         [("break", "Coffee", "", None, 15)]),
        (3, "Lone talk", date(2023, 11, 21), time(12, 0), time(12, 45), "Annex", "", True,
         [("presentation", "Lone talk", "", None, 45)]),
    ]  # fmt: skip


def test_overlapping_sessions_are_listed(client, organiser):
    meeting = make_meeting()
    make_session(meeting, title="Already here", starts_at=time(9, 0), ends_at=time(10, 0),
                 room="Hall")  # fmt: skip
    data = schedule(
        [
            ("2023-11-21T09:30:00-05:00", "01:00", "Hall", "A", "First"),
            ("2023-11-21T10:00:00-05:00", "00:30", "Hall", "B", "Second"),
        ]
    )

    html = unescape(upload(client, meeting, data).text)

    assert (
        "Sessions that overlap in the same room: “Already here” (already in the draft) and "
        "“A” in Hall on Tue 21 Nov 2023; “A” and “B” in Hall on Tue 21 Nov 2023."
    ) in html


def test_non_empty_draft_is_kept_and_numbered_again(client, organiser):
    meeting = make_meeting()
    kept = make_session(meeting, title="Kept", starts_at=time(14, 0), ends_at=time(15, 0))
    slides_of = make_item(kept, title="Has slides")
    slides = make_document(meeting, kind="slides", title="Slides", agenda_item_id=slides_of.id)
    data = schedule([("2023-11-21T09:00:00-05:00", "00:30", "Hall", "Morning", "Opening")])

    html = unescape(upload(client, meeting, data).text)
    confirm(client, meeting, html)

    assert (
        "The draft already has 1 session: it is kept, the imported sessions are added beside "
        "it, and all are numbered again in time order."
    ) in html
    assert [(s[0], s[1]) for s in agenda_of(meeting)] == [(1, "Morning"), (2, "Kept")]
    assert db.session.get(Document, slides.id).agenda_item_id == slides_of.id


def test_confirming_twice_imports_once(client, organiser):
    meeting = make_meeting()
    data = schedule([("2023-11-21T09:00:00-05:00", "00:30", "Hall", "Morning", "Opening")])
    html = upload(client, meeting, data).text

    first = confirm(client, meeting, html)
    second = confirm(client, meeting, html)

    assert (first.status_code, second.status_code) == (303, 409)
    assert field_error(second.text, "file") == (
        "The draft agenda has changed since this preview, or the file was imported already. "
        "Upload the file again to see what an import would do now."
    )
    assert session_count(meeting) == 1
    assert len(audit_entries("agenda.imported")) == 1


def test_tampered_or_foreign_plan_is_refused(client, organiser):
    meeting, other = make_meeting(), make_meeting()
    data = schedule([("2023-11-21T09:00:00-05:00", "00:30", "Hall", "Morning", "Opening")])
    html = upload(client, meeting, data).text
    plan = unescape(_PLAN.search(html)[1])
    forged = importing._serializer().dumps({"plan": {"meeting": meeting.id}, "user": 999})

    responses = [
        confirm(client, meeting, html, plan=plan[:-3] + "abc"),
        confirm(client, other, html, plan=plan),
        confirm(client, meeting, html, plan=forged),
        confirm(client, meeting, html, plan=""),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert field_error(responses[0].text, "file") == (
        "This preview has expired or is not valid. Upload the file again."
    )
    assert session_count() == 0


NOT_JSON = "This file is not JSON. Upload the schedule.json that pretalx or frab export."
SHAPE = "This is not a frab or pretalx schedule.json: "
ONE = ("2023-11-21T09:00:00", "00:30", "Hall", "A", "T")
BAD_FILES = [
    (b"", "The file is empty."),
    (b"<schedule/>", NOT_JSON),
    (b"\xff\xfe\x00\x00garbage", NOT_JSON),
    (b"[" * 100_000 + b"]" * 100_000, NOT_JSON),
    (b" " * (5 * 2**20 + 1), "The file is larger than 5 MB."),
    (b"[1, 2]", SHAPE + "“schedule” is missing or is not an object."),
    (b'{"schedule": {}}', SHAPE + "“schedule.conference” is missing or is not an object."),
    (b'{"schedule": {"conference": {"days": {}}}}',
     SHAPE + "“conference.days” is missing or is not a list."),
    (schedule([(*ONE, {"date": None})]),
     SHAPE + "Event 1 (“T”) “date” is missing or is not a date and time."),
    (schedule([("2023-13-45T09:00:00", *ONE[1:])]),
     "Event 1 (“T”) has a date that is not a date and time: “2023-13-45T09:00:00”."),
    (schedule([(ONE[0], "half an hour", *ONE[2:])]),
     "Event 1 (“T”) has no duration in hours and minutes (such as 00:30)."),
    (schedule([(*ONE[:4], 42)]), SHAPE + "Event 1 “title” is missing or is not text."),
    (schedule([(*ONE, {"persons": "Ana"})]),
     SHAPE + "Event 1 (“T”) “persons” is missing or is not a list."),
    (schedule([ONE], meta={"wenevents": {"sessions": [{"track": "A"}]}}),
     "The wenevents session list in this file (conference.meta) is damaged; export the "
     "schedule again."),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_file_gets_a_message_at_the_field(client, organiser, data, message):
    meeting = make_meeting()

    response = upload(client, meeting, data)

    assert response.status_code == 422
    assert field_error(response.text, "file") == message
    assert 'name="plan"' not in response.text
    assert session_count() == 0


def test_missing_file_gets_a_message_at_the_field(client, organiser):
    meeting = make_meeting()
    token = csrf_token(client.get(page_path(meeting)).text)

    response = client.post(
        page_path(meeting), data={"csrf_token": token}, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert field_error(response.text, "file") == "Choose a schedule.json file."


def test_file_with_nothing_for_the_meeting_offers_no_import(client, organiser):
    meeting = make_meeting()
    data = schedule([("2024-01-01T09:00:00-05:00", "00:30", "Hall", "A", "Elsewhere")])

    html = unescape(upload(client, meeting, data).text)

    assert "Nothing in this file can be imported into this meeting." in html
    assert 'name="plan"' not in html


def test_import_pages_pass_nu_html_checker(client, organiser, democon, tmp_path):
    pages = {
        "upload": client.get(page_path(democon)).data,
        "preview": upload(client, democon, pretalx().read_bytes()).data,
        "error": upload(client, democon, b"nope").data,
    }

    problems = check(pages, tmp_path)

    assert problems == [], "\n".join(problems)


# Command line ---------------------------------------------------------------------------


def test_cli_previews_and_imports_with_yes(runner, democon, tmp_path):
    meeting_id = democon.id

    result = runner.invoke(
        args=["import-schedule", democon.acronym, str(pretalx()), "--yes"], catch_exceptions=False
    )

    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert lines[0] == f"Import “DemoCon” (36 events) into the draft agenda of {democon.acronym}."
    assert lines[1] == "To create: 17 sessions with 24 items."
    assert lines[2] == "  Mon 14 Dec 2020 09:00–09:30  Gray Room  Phased"
    assert lines[3] == "    - presentation: Focused 5thgeneration hardware (Brian Robinson, 30 min)"
    assert lines[-1] == f"Imported 17 sessions with 24 items into the draft of {democon.acronym}."
    assert session_count(db.session.get(Meeting, meeting_id)) == 17
    assert audit_entries("agenda.imported")[0].actor_email == ""


def test_cli_asks_before_writing(runner, democon):
    result = runner.invoke(args=["import-schedule", democon.acronym, str(pretalx())], input="n\n")

    assert result.exit_code == 1
    assert result.output.endswith("Import into the draft agenda? [y/N]: n\nAborted!\n")
    assert session_count() == 0


def test_cli_refuses_bad_file_and_unknown_meeting(runner, tmp_path):
    meeting = make_meeting(status=DRAFT)
    bad = tmp_path / "schedule.json"
    bad.write_text("not json")

    wrong_file = runner.invoke(args=["import-schedule", meeting.acronym, str(bad)])
    no_meeting = runner.invoke(args=["import-schedule", "nosuchmeeting", str(pretalx())])

    assert wrong_file.exit_code == 1
    assert wrong_file.output == (
        "Error: This file is not JSON. Upload the schedule.json that pretalx or frab export.\n"
    )
    assert no_meeting.exit_code == 2
    assert "no meeting 'nosuchmeeting'" in no_meeting.output
    assert session_count() == 0


def test_break_keeps_presenters_that_match_the_chairs(client, organiser):
    source = make_meeting()
    session = make_session(source, chair="Host")
    make_item(session, kind=BREAK, title="Lunch", presenters="Host", duration_minutes=30)
    publish_agenda(source)
    target = make_meeting()

    html = upload(client, target, client.get(f"/{source.acronym}/schedule.json").data).text
    confirm(client, target, html)

    assert agenda_of(target)[0][6:] == ("Host", True, [("break", "Lunch", "Host", None, 30)])


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [
        ("Talk", "presentation"),
        ("Background briefing", "presentation"),
        ("Lunch-Break", "break"),
        ("Coffee", "break"),
        ("Workshops", "discussion"),
        ("Round table", "discussion"),
        ("Q&A", "discussion"),
        ("DISCUSSION", "discussion"),
        ("", "presentation"),
    ],
)
def test_event_type_gives_the_item_kind(event_type, kind):
    assert import_plan._kind(event_type) == kind


def test_two_confirmations_at_once_import_once(app):
    meeting = make_meeting()
    data = schedule([("2023-11-21T09:00:00-05:00", "00:30", "Hall", "Morning", "Opening")])
    plan = importing.preview(meeting, data)
    meeting_id, start = meeting.id, threading.Barrier(2)
    db.session.remove()  # the workers' connections only, while they race

    def confirm_once():
        with app.app_context():
            start.wait(timeout=10)
            try:
                importing.apply(db.session.get(Meeting, meeting_id), plan)
                db.session.commit()
                return "imported"
            except importing.ImportProblem as problem:
                return problem.status
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(map(str, pool.map(lambda _n: confirm_once(), range(2))))

    assert results == ["409", "imported"]
    assert session_count(db.session.get(Meeting, meeting_id)) == 1


def test_import_counts_use_plural_forms(app):
    from wenevents.agenda.importing import count_items, count_sessions

    with app.test_request_context():
        assert (count_sessions(1), count_sessions(8), count_items(1), count_items(0)) == (
            "1 session",
            "8 sessions",
            "1 item",
            "0 items",
        )
