import re
from datetime import date, time

from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
    session_ref,
)


def sessions_in(html):
    return re.findall(r'id="session-(\d+)-heading"', html)


def test_schedule_all_days_lists_sessions_by_day_in_order(client, demo):
    html = client.get("/gmwen4/schedule?day=all").text

    assert sessions_in(html) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert html.index("Tuesday 21 November 2023") < html.index('id="session-1-heading"')
    assert html.index("Wednesday 22 November 2023") < html.index('id="session-5-heading"')


def test_schedule_names_the_time_zone_of_every_time(client, demo):
    html = client.get("/gmwen4/schedule?day=all").text

    assert "All times are local time in Panama City: America/Panama (UTC−05:00)." in html
    assert html.count('<abbr title="America/Panama">UTC−05:00</abbr>') == 8
    assert '<time datetime="2023-11-21T09:00:00-05:00">09:00</time>' in html


def test_schedule_shows_closed_session_without_details(client, demo):
    html = client.get("/gmwen4/schedule?day=all").text

    assert "Session 4 – Closed session" in html
    assert "Closed session for network representatives" not in html
    assert "Exchange on ongoing cases" not in html


def test_session_page_shows_presentations_with_networks(client, demo):
    html = client.get(f"/gmwen4/sessions/{session_ref('gmwen4', 1)}").text

    assert "Session 1 – Outcomes from the 3rd Global meeting of WENs" in html
    assert html.count("Activities since the 3rd Global Meeting") == 4
    assert '<a href="/networks/asean-wen">ASEAN-WEN</a>' in html
    assert "Chair" in html and "CITES Secretariat" in html


def test_closed_session_page_hides_contents(client, demo):
    response = client.get(f"/gmwen4/sessions/{session_ref('gmwen4', 7)}")

    assert response.status_code == 200
    assert "Session 7 – Closed session" in response.text
    assert "Operational planning" not in response.text
    assert "Closed session for network representatives" not in response.text


def test_unknown_session_gets_404(client, demo):
    assert client.get("/gmwen4/sessions/99").status_code == 404
    assert client.get("/gmwen4/sessions/x").status_code == 404
    assert client.get("/gmwen4/sessions/abcdefgh").status_code == 404
    assert client.get("/gmwen4/sessions/abcdefgh.ics").status_code == 404


def test_schedule_day_without_sessions_says_so(client):
    meeting = make_meeting(start_date=date(2024, 3, 1), end_date=date(2024, 3, 2))
    make_session(meeting, day=date(2024, 3, 2))
    publish_agenda(meeting)

    html = client.get(f"/{meeting.acronym}/schedule?day=all").text

    assert "Friday 1 March 2024" in html
    assert html.count("No sessions on this day.") == 1


def test_schedule_offset_follows_daylight_saving(client):
    meeting = make_meeting(
        timezone="Europe/Zurich", start_date=date(2019, 8, 22), end_date=date(2019, 8, 22)
    )
    make_session(meeting, starts_at=time(14, 0), ends_at=time(15, 0))
    publish_agenda(meeting)

    html = client.get(f"/{meeting.acronym}/schedule").text

    assert '<abbr title="Europe/Zurich">UTC+02:00</abbr>' in html
    assert '<time datetime="2019-08-22T14:00:00+02:00">14:00</time>' in html


def test_schedule_escapes_hostile_item_text(client):
    meeting = make_meeting()
    session = make_session(meeting, title="<script>alert(1)</script>")
    make_item(session, title='<div hx-get="/logout" hx-trigger="load">', network=make_network())
    publish_agenda(meeting)

    html = client.get(f"/{meeting.acronym}/schedule").text

    assert "<script>alert(1)</script>" not in html
    assert '<div hx-get="/logout"' not in html
    assert "&lt;div hx-get=&#34;/logout&#34; hx-trigger=&#34;load&#34;&gt;" in html
