"""The public schedule: day tabs, today, now and next, the network filter, time zones."""

import re
from datetime import UTC, date, datetime, time

import pytest

from tests.conftest import HTMX
from tests.factories import make_meeting, make_session, publish_agenda, session_ref
from wenevents.agenda import services


def sessions_in(html):
    return re.findall(r'id="session-(\d+)-heading"', html)


@pytest.fixture
def clock(monkeypatch):
    """``clock(2023, 11, 21, 16, 20)`` sets the schedule's "now" (in UTC)."""

    def set_clock(*parts):
        moment = datetime(*parts, tzinfo=UTC)
        monkeypatch.setattr(services, "now_utc", lambda: moment)

    return set_clock


# -- Day tabs and today -------------------------------------------------------------


def test_schedule_outside_meeting_opens_on_first_day(client, demo, clock):
    clock(2024, 1, 10, 12, 0)

    html = client.get("/gmwen4/schedule").text

    assert sessions_in(html) == ["1", "2", "3", "4"]
    assert re.search(r'id="tab-2023-11-21"[^>]*aria-current="true"', html)
    assert "tab-today" not in html
    assert "Now and next" not in html
    assert 'data-hx-trigger="every 60s"' not in html


def test_schedule_during_meeting_opens_on_today(client, demo, clock):
    clock(2023, 11, 22, 15, 0)  # 10:00 in Panama

    html = client.get("/gmwen4/schedule").text

    assert sessions_in(html) == ["5", "6", "7", "8"]
    assert re.search(r'id="tab-2023-11-22"[^>]*aria-current="true">Wed 22 Nov <span', html)
    assert '<span class="tab-today">today</span>' in html


def test_schedule_today_is_taken_in_the_meeting_zone(client, demo, clock):
    clock(2023, 11, 22, 3, 0)  # already the 22nd in UTC, still 22:00 on the 21st in Panama

    html = client.get("/gmwen4/schedule").text

    assert sessions_in(html) == ["1", "2", "3", "4"]


def test_schedule_day_parameter_renders_that_day(client, demo, clock):
    clock(2023, 11, 21, 15, 0)

    html = client.get("/gmwen4/schedule?day=2023-11-22").text

    assert sessions_in(html) == ["5", "6", "7", "8"]
    assert re.search(r'id="tab-2023-11-22"[^>]*aria-current="true"', html)
    assert 'href="/gmwen4/schedule?day=2023-11-21"' in html
    assert 'href="/gmwen4/schedule?day=all"' in html


def test_schedule_all_days_tab_shows_every_day(client, demo):
    html = client.get("/gmwen4/schedule?day=all").text

    assert sessions_in(html) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert re.search(r'id="tab-all"[^>]*aria-current="true">All days<', html)
    assert 'class="schedule-days all-days"' in html


@pytest.mark.parametrize("value", ["2023-12-01", "tomorrow", "2023-11-2x", "9" * 500])
def test_schedule_unknown_day_falls_back_to_first_day_with_message(client, demo, clock, value):
    clock(2024, 1, 10, 12, 0)

    response = client.get(f"/gmwen4/schedule?day={value}")

    assert response.status_code == 200
    assert sessions_in(response.text) == ["1", "2", "3", "4"]
    assert "There is no day " in response.text


def test_one_day_meeting_has_no_day_tabs(client):
    meeting = make_meeting(start_date=date(2019, 8, 22), end_date=date(2019, 8, 22))
    make_session(meeting)
    publish_agenda(meeting)

    html = client.get(f"/{meeting.acronym}/schedule").text

    assert sessions_in(html) == ["1"]
    assert 'class="day-tabs' not in html


# -- Now and next -------------------------------------------------------------------


def test_schedule_marks_running_session_and_item_now(client, demo, clock):
    clock(2023, 11, 21, 16, 20)  # 11:20 in Panama: session 2, ROAVIS presenting

    html = client.get("/gmwen4/schedule").text

    assert '<article class="session session-now" aria-labelledby="session-2-heading">' in html
    assert '<article class="session session-next" aria-labelledby="session-3-heading">' in html
    now_item = re.search(r'<li class="item item-presentation item-now">.*?</li>', html, re.S)[0]
    assert '<strong class="marker marker-now">Now</strong>' in now_item
    assert "ROAVIS" in now_item
    next_item = re.search(r'<li class="item item-presentation item-next">.*?</li>', html, re.S)[0]
    assert "SudWEN" in next_item
    assert html.count('class="marker marker-now"') == 2


def test_schedule_now_panel_names_session_item_and_next(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    html = client.get("/gmwen4/schedule").text
    panel = re.search(r'<section class="now-next.*?</section>', html, re.S)[0]

    assert (
        f'<a href="/gmwen4/sessions/{session_ref("gmwen4", 2)}">Session 2 – Increased '
        "collaboration and communication, "
        "both within and between networks</a>" in panel
    )
    assert "<br>Communication within the network and with its neighbours (ROAVIS)</dd>" in panel
    assert "<dd>Communication within the network and with its neighbours (SudWEN), " in panel
    assert '<time datetime="2023-11-21T11:30:00-05:00">11:30</time>' in panel


def test_schedule_between_sessions_shows_next_session(client, demo, clock):
    clock(2023, 11, 21, 17, 45)  # 12:45 in Panama: lunch

    html = client.get("/gmwen4/schedule").text
    panel = re.search(r'<section class="now-next.*?</section>', html, re.S)[0]

    assert "<dd>No session is running.</dd>" in panel
    assert "Session 3 – Exploring opportunities" in panel
    assert "session-now" not in html
    assert '<article class="session session-next" aria-labelledby="session-3-heading">' in html


def test_schedule_evening_of_first_day_shows_tomorrows_first_session(client, demo, clock):
    clock(2023, 11, 21, 23, 30)  # 18:30 in Panama

    html = client.get("/gmwen4/schedule?day=all").text
    panel = re.search(r'<section class="now-next.*?</section>', html, re.S)[0]

    assert "Session 5 – Promoting the use of existing tools and services</a>," in panel
    assert "Wed 22 Nov, " in panel


def test_schedule_after_last_session_says_meeting_is_over(client, demo, clock):
    clock(2023, 11, 22, 23, 0)  # 18:00 on the last day

    html = client.get("/gmwen4/schedule").text

    assert "The meeting’s last session is over." in html


def test_schedule_polls_now_fragment_every_minute_while_meeting_runs(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    html = client.get("/gmwen4/schedule?network=naweg").text

    assert (
        '<div id="schedule-days" class="schedule-days" '
        'data-hx-get="/gmwen4/schedule/now?day=2023-11-21&amp;network=naweg" '
        'data-hx-trigger="every 60s" data-hx-swap="outerHTML">' in html
    )


def test_now_fragment_to_htmx_returns_only_the_days(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    response = client.get(
        "/gmwen4/schedule/now?day=2023-11-21", headers={**HTMX, "HX-Target": "schedule-days"}
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="schedule-days"')
    assert "<html" not in response.text
    assert "session-now" in response.text
    assert response.headers["Vary"].count("HX-Request") == 1


def test_now_fragment_without_javascript_returns_full_page(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    response = client.get("/gmwen4/schedule/now?day=2023-11-21")

    assert response.status_code == 200
    assert response.text.startswith("<!doctype html>")
    assert "<h1>Schedule</h1>" in response.text
    assert sessions_in(response.text) == ["1", "2", "3", "4"]


def test_schedule_tab_to_htmx_returns_the_schedule_block(client, demo):
    response = client.get(
        "/gmwen4/schedule?day=2023-11-22", headers={**HTMX, "HX-Target": "schedule"}
    )

    assert response.text.lstrip().startswith('<div id="schedule" class="schedule">')
    assert "<h1>" not in response.text
    assert sessions_in(response.text) == ["5", "6", "7", "8"]


def test_session_page_marks_item_now_while_it_runs(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    html = client.get(f"/gmwen4/sessions/{session_ref('gmwen4', 2)}").text

    assert "This session is running now." in html
    assert '<li class="item item-presentation item-now">' in html
    ref = session_ref("gmwen4", 2)
    assert f'data-hx-get="/gmwen4/sessions/{ref}" data-hx-trigger="every 60s"' in html


def test_session_page_programme_to_htmx_is_the_programme_only(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    response = client.get(
        f"/gmwen4/sessions/{session_ref('gmwen4', 2)}",
        headers={**HTMX, "HX-Target": "session-programme"},
    )

    assert response.text.lstrip().startswith('<div id="session-programme"')
    assert "<h1>" not in response.text


def test_session_page_does_not_poll_on_another_day(client, demo, clock):
    clock(2023, 11, 21, 16, 20)

    html = client.get(f"/gmwen4/sessions/{session_ref('gmwen4', 5)}").text

    assert "hx-trigger" not in html
    assert "running now" not in html


def test_session_page_links_its_calendar_files(client, demo):
    ref = session_ref("gmwen4", 4)
    html = client.get(f"/gmwen4/sessions/{ref}").text

    assert f'<a href="webcal://localhost/gmwen4/sessions/{ref}.ics">subscribe</a>' in html
    assert f'<a href="/gmwen4/sessions/{ref}.ics" download>download (.ics)</a>' in html
    assert 'href="/gmwen4/schedule?day=2023-11-21#session-4-heading"' in html


# -- Network filter -----------------------------------------------------------------


def test_network_filter_keeps_only_that_networks_sessions_and_items(client, demo):
    html = client.get("/gmwen4/schedule?day=all&network=asean-wen").text

    assert sessions_in(html) == ["1", "6"]
    assert re.findall(r'<a href="/networks/([a-z-]+)">', html) == ["asean-wen", "asean-wen"]
    assert "Welcome and opening remarks" not in html
    assert '<option value="asean-wen" selected>ASEAN-WEN</option>' in html
    assert "Showing the presentations of " in html


def test_network_filter_day_without_presentation_says_so(client, demo):
    html = client.get("/gmwen4/schedule?day=2023-11-22&network=comifac").text

    assert sessions_in(html) == []
    assert "COMIFAC does not present on this day." in html


def test_network_filter_offers_only_presenting_networks(client, demo):
    html = client.get("/gmwen4/schedule").text
    select = re.search(r'<select id="schedule-network".*?</select>', html, re.S)[0]
    options = re.findall(r'<option value="([^"]*)"', select)

    assert options[0] == ""
    assert len(options) == 15
    assert options[1:4] == ["asean-wen", "comifac", "eu-ewg"]


def test_network_filter_links_that_networks_calendar(client, demo):
    html = client.get("/gmwen4/schedule?network=naweg").text

    assert 'href="webcal://localhost/gmwen4/networks/naweg.ics"' in html
    assert 'href="/gmwen4/networks/naweg.ics" download' in html


@pytest.mark.parametrize("slug", ["no-such-network", "<script>", "x" * 300])
def test_network_filter_unknown_slug_gets_404_with_message(client, demo, slug):
    response = client.get("/gmwen4/schedule", query_string={"network": slug, "day": "all"})

    assert response.status_code == 404
    assert "presents at this meeting; the whole schedule is shown." in response.text
    assert sessions_in(response.text) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert "<script>" not in response.text


def test_filter_forms_carry_the_other_choices(client, demo):
    html = client.get("/gmwen4/schedule?day=2023-11-22&network=latf&tz=Asia/Tokyo").text
    network_form = re.search(r'<form class="schedule-filter".*?</form>', html, re.S)[0]
    tz_form = re.search(r'<form class="tz-switch".*?</form>', html, re.S)[0]

    assert re.findall(r'type="hidden" name="(\w+)" value="([^"]+)"', network_form) == [
        ("day", "2023-11-22"),
        ("tz", "Asia/Tokyo"),
    ]
    assert re.findall(r'type="hidden" name="(\w+)" value="([^"]+)"', tz_form) == [
        ("day", "2023-11-22"),
        ("network", "latf"),
    ]
    assert 'data-hx-get="/gmwen4/schedule" data-hx-target="#schedule"' in network_form
    assert 'data-hx-push-url="true"' in network_form


# -- Time zones ---------------------------------------------------------------------


def test_tz_switch_converts_times_and_names_the_zone(client, demo):
    html = client.get("/gmwen4/schedule?day=2023-11-21&tz=Europe/Paris").text

    assert '<time datetime="2023-11-21T09:00:00-05:00">15:00</time>' in html
    assert '<abbr title="Europe/Paris">UTC+01:00</abbr>' in html
    assert 'title="America/Panama"' not in html
    assert (
        "Times are shown in your chosen time zone, Europe/Paris (UTC+01:00). "
        "The meeting is held in America/Panama." in html
    )
    assert 'value="Europe/Paris"' in html


def test_tz_switch_shows_the_date_when_time_falls_on_another_day(client, demo):
    html = client.get("/gmwen4/schedule?day=2023-11-21&tz=Asia/Tokyo").text

    assert (
        '<time datetime="2023-11-21T16:00:00-05:00">06:00</time>–'
        '<time datetime="2023-11-21T17:30:00-05:00">07:30</time> '
        '<span class="other-day">(Wed 22 Nov)</span> '
        '<abbr title="Asia/Tokyo">UTC+09:00</abbr>' in html
    )


def test_session_names_the_offset_in_force_when_it_starts(client):
    # Zurich's clocks went back at 03:00 on 27 October 2019: midnight was UTC+02:00, the
    # session at 09:00 is at UTC+01:00.
    meeting = make_meeting(
        timezone="Europe/Zurich", start_date=date(2019, 10, 27), end_date=date(2019, 10, 27)
    )
    make_session(meeting, day=date(2019, 10, 27), starts_at=time(9, 0), ends_at=time(10, 0))
    publish_agenda(meeting)

    html = client.get(f"/{meeting.acronym}/schedule").text

    assert (
        '<time datetime="2019-10-27T09:00:00+01:00">09:00</time>–'
        '<time datetime="2019-10-27T10:00:00+01:00">10:00</time> '
        '<abbr title="Europe/Zurich">UTC+01:00</abbr>' in html
    )


def test_tz_switch_ignores_case(client, demo):
    html = client.get("/gmwen4/schedule?tz=europe/paris").text

    assert '<abbr title="Europe/Paris">UTC+01:00</abbr>' in html


@pytest.mark.parametrize("tz", ["Mars/Olympus", "../../etc/passwd", "UTC\u202e", "x" * 500])
def test_tz_switch_bad_zone_is_ignored_with_message(client, demo, tz):
    response = client.get("/gmwen4/schedule", query_string={"tz": tz})

    assert response.status_code == 200
    assert "is not a time zone we know, so times are shown in the meeting’s own" in response.text
    assert '<abbr title="America/Panama">UTC−05:00</abbr>' in response.text


def test_tz_switch_with_a_nul_byte_is_refused_whole(client, demo):
    response = client.get("/gmwen4/schedule", query_string={"tz": "UTC\x00"})

    assert response.status_code == 400
    assert "contains a character that is not allowed (such as a NUL byte)" in response.text


def test_tz_switch_to_meeting_zone_changes_nothing(client, demo):
    html = client.get("/gmwen4/schedule?tz=America/Panama").text

    assert "All times are local time in Panama City: America/Panama (UTC−05:00)." in html
    assert 'name="tz" value=' not in html


def test_tz_choice_follows_links_to_session_pages(client, demo):
    html = client.get("/gmwen4/schedule?tz=Europe/Paris").text

    ref = session_ref("gmwen4", 1)
    assert f'<a href="/gmwen4/sessions/{ref}?tz=Europe/Paris">Session 1 – ' in html
    session = client.get(f"/gmwen4/sessions/{ref}?tz=Europe/Paris").text
    assert '<time datetime="2023-11-21T09:00:00-05:00">15:00</time>' in session


def test_tz_switch_loads_its_script_from_this_site(client, demo):
    html = client.get("/gmwen4/schedule").text

    assert re.search(r'<script src="/static/js/schedule.js\?v=[0-9a-f]{12}" defer>', html)
    assert 'data-meeting-zone="America/Panama"' in html


# -- Before the first release, and the links ----------------------------------------


def test_schedule_before_first_release_says_not_published(client):
    today = date.today()
    meeting = make_meeting(
        start_date=today.replace(year=today.year + 1), end_date=today.replace(year=today.year + 1)
    )
    make_session(meeting)

    response = client.get(f"/{meeting.acronym}/schedule")

    assert response.status_code == 200
    assert "The schedule has not been published yet." in response.text
    assert ".ics" not in response.text
    assert ".pdf" not in response.text
    assert 'class="day-tabs' not in response.text


def test_schedule_of_upcoming_meeting_offers_schedule_and_changelog_tabs(client):
    today = date.today()
    upcoming = today.replace(year=today.year + 1)
    meeting = make_meeting(start_date=upcoming, end_date=upcoming)

    html = client.get(f"/{meeting.acronym}/").text

    assert nav_links(html) == ["Overview", "Schedule", "Changelog", "My meeting"]
    assert "See the schedule" in html


def nav_links(html):
    nav = re.search(r'<nav class="meeting-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]*)</a>", nav)


@pytest.mark.parametrize("path", ["/gmwen1/schedule", "/gmwen2/schedule", "/gmwen3/schedule"])
def test_schedule_of_past_edition_without_programme_says_so_in_past_tense(client, demo, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "No programme was published on this site for this meeting." in response.text
    assert "Please come back later" not in response.text
    assert nav_links(response.text) == ["Overview"]


def test_past_edition_page_offers_no_empty_schedule_changelog_or_materials(client, demo):
    html = client.get("/gmwen1/").text

    assert nav_links(html) == ["Overview"]
    assert "See the schedule" not in html
    assert "No programme was published on this site for this meeting." in html
    assert 'class="session-links"' not in html
    assert "/gmwen1/materials" not in html


def test_changelog_of_past_edition_without_programme_says_so_in_past_tense(client, demo):
    html = client.get("/gmwen2/changelog").text

    assert "No programme was published on this site for this meeting." in html
    assert "has not been published yet" not in html
    assert nav_links(html) == ["Overview"]


def test_past_edition_with_programme_keeps_its_tabs(client, demo):
    html = client.get("/gmwen4/").text

    assert nav_links(html) == ["Overview", "Schedule", "Changelog", "My meeting"]
    assert "See the schedule" in html
    assert "No programme was published" not in html


def test_schedule_links_calendar_pdf_frab_and_changelog(client, demo):
    html = client.get("/gmwen4/schedule").text

    assert '<a href="webcal://localhost/gmwen4/schedule.ics">' in html
    assert '<a href="/gmwen4/schedule.ics" download>' in html
    assert '<a href="/gmwen4/schedule.pdf">' in html
    assert '<a href="/gmwen4/schedule.xml">schedule.xml</a>' in html
    assert '<a href="/gmwen4/schedule.json">schedule.json</a>' in html
    assert '<a href="/gmwen4/changelog">What changed, release by release</a>' in html
    assert "This is release 1, published " in html


def test_meeting_nav_links_the_changelog(client, demo):
    html = client.get("/gmwen4/schedule").text

    assert '<li><a href="/gmwen4/changelog">Changelog</a></li>' in html


# -- The rules, as functions --------------------------------------------------------


def test_chosen_day_prefers_today_then_first_day():
    days = [date(2023, 11, 21), date(2023, 11, 22)]

    assert services.chosen_day("", days, date(2023, 11, 22)) == (date(2023, 11, 22), None)
    assert services.chosen_day("", days, date(2024, 1, 1)) == (date(2023, 11, 21), None)
    assert services.chosen_day("all", days, date(2024, 1, 1)) == (None, None)
    assert services.chosen_day("2023-11-22", days, None) == (date(2023, 11, 22), None)


def test_clock_marks_nothing_outside_the_meeting(app):
    meeting = make_meeting()
    session = make_session(meeting, starts_at=time(9, 0), ends_at=time(10, 0))
    publish_agenda(meeting)
    _meeting, _release, sessions = services.public_agenda(meeting.acronym)

    before = services.clock(meeting, sessions, datetime(2023, 11, 20, 14, 30, tzinfo=UTC))
    during = services.clock(meeting, sessions, datetime(2023, 11, 21, 14, 30, tzinfo=UTC))

    assert before == services.Clock()
    assert during.live is True
    assert during.now_session.uid == session.uid
    assert during.next_session is None


def test_materials_of_past_edition_without_programme_offer_no_empty_tabs(client, demo):
    past = client.get("/gmwen1/materials").text
    current = client.get("/gmwen4/materials").text

    assert nav_links(past) == ["Overview"]
    assert nav_links(current) == ["Overview", "Schedule", "Changelog", "My meeting"]
