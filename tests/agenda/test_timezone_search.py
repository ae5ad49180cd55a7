"""The schedule's time zone switch finds a zone from a city in the reader's language, ignoring
case and accents, offers every zone in a list, and says at the field when a text names no
zone or several."""

import re

import pytest

from tests.factories import canonical
from wenevents import timezones

PANAMA_NOTE = "All times are local time in Panama City: America/Panama (UTC−05:00)."


def tz_field(html):
    """``(value, aria-invalid, aria-describedby)`` of the zone field."""
    field = re.search(r'<input id="schedule-tz"[^>]*>', html)[0]
    attr = {name: re.search(rf'{name}="([^"]*)"', field) for name in ("value", "aria-invalid")}
    described = re.search(r'aria-describedby="([^"]*)"', field)[1]
    return (
        attr["value"][1] if attr["value"] else None,
        attr["aria-invalid"][1] if attr["aria-invalid"] else None,
        described,
    )


def field_error(html):
    found = re.search(r'<p id="schedule-tz-error" class="error" role="alert">([^<]*)</p>', html)
    return found[1] if found else None


@pytest.mark.parametrize("typed", ["paris", "PARÍS", "París", "europe/paris", "Europe/Paris"])
def test_tz_switch_finds_paris_by_city_case_and_accents_aside(client, demo, typed):
    response = client.get("/gmwen4/schedule", query_string={"tz": typed, "day": "2023-11-21"})

    assert response.status_code == 200
    assert '<abbr title="Europe/Paris">UTC+01:00</abbr>' in response.text
    assert tz_field(response.text) == ("Europe/Paris", None, "schedule-tz-help")
    assert field_error(response.text) is None
    assert f'<a href="{canonical("/gmwen4/sessions/1")}?tz=Europe/Paris">' in response.text


@pytest.mark.parametrize("typed", ["Ciudad de Panamá", "panama", "PANAMÁ"])
def test_tz_switch_finds_panama_which_is_the_meetings_own(client, demo, typed):
    response = client.get("/gmwen4/schedule", query_string={"tz": typed})

    assert response.status_code == 200
    assert PANAMA_NOTE in response.text
    assert field_error(response.text) is None
    assert tz_field(response.text) == ("", None, "schedule-tz-help")


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Ciudad de Panamá", "America/Panama"),
        ("panama", "America/Panama"),
        ("PARÍS", "Europe/Paris"),
        ("Nueva York", "America/New_York"),
        ("Londres", "Europe/London"),
        ("Kiev", "Europe/Kyiv"),
    ],
)
def test_resolve_in_spanish_finds_spanish_city_names(typed, zone):
    assert timezones.resolve(typed, "es") == timezones.Found(key=zone)


def test_resolve_in_english_does_not_know_spanish_only_names():
    assert timezones.resolve("Nueva York", "en") == timezones.Found()


def test_tz_switch_in_spanish_finds_londres(app, client, demo):
    html = client.get("/es/gmwen4/schedule", query_string={"tz": "Londres"}).text

    assert '<abbr title="Europe/London">UTC+00:00</abbr>' in html
    assert '<option value="Europe/London">Londres</option>' in html


@pytest.mark.parametrize("typed", ["Mars/Olympus", "Atlantis", "x" * 500])
def test_tz_switch_unknown_text_gets_message_at_the_field(client, demo, typed):
    response = client.get("/gmwen4/schedule", query_string={"tz": typed})

    assert response.status_code == 200
    assert field_error(response.text) == (
        f"“{typed[:64]}” is not a time zone we know, so times are shown in the meeting’s own "
        "(America/Panama). Type a city, such as Paris or Bangkok, or a zone name such as "
        "Europe/Paris."
    )
    assert tz_field(response.text) == (typed[:64], "true", "schedule-tz-error schedule-tz-help")
    assert PANAMA_NOTE in response.text
    assert '<details class="schedule-controls no-print" open>' in response.text


def test_tz_switch_ambiguous_text_lists_candidates_at_the_field(client, demo):
    response = client.get("/gmwen4/schedule", query_string={"tz": "new", "day": "all"})

    assert response.status_code == 200
    assert field_error(response.text) == (
        "“new” could be several time zones, so times are shown in the meeting’s own "
        "(America/Panama). Choose one:"
    )
    candidates = re.search(r'<ul class="tz-candidates">(.*?)</ul>', response.text, re.S)[1]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', candidates) == [
        ("/gmwen4/schedule?day=all&amp;tz=America/New_York", "New York (America/New_York)"),
        (
            "/gmwen4/schedule?day=all&amp;tz=America/North_Dakota/New_Salem",
            "New Salem, North Dakota (America/North_Dakota/New_Salem)",
        ),
        # By its old name, Canada/Newfoundland.
        ("/gmwen4/schedule?day=all&amp;tz=America/St_Johns", "St John’s (America/St_Johns)"),
    ]


def test_tz_switch_offers_every_zone_by_city_in_a_list(client, demo):
    html = client.get("/gmwen4/schedule").text

    options = re.findall(r'<option value="([^"]+)">([^<]*)</option>', html)
    offered = [value for value, _city in options if "/" in value]
    assert 'list="tz-zones"' in html
    assert ("Europe/Paris", "Paris") in options
    assert ("America/Panama", "Panama") in options
    assert len(offered) == len(timezones.offered_zones())
    assert "Etc/GMT+5" not in offered and "US/Eastern" not in offered


def test_tz_switch_list_is_not_sent_again_with_each_swap(client, demo):
    html = client.get(
        "/gmwen4/schedule?tz=paris", headers={"HX-Request": "true", "HX-Target": "schedule"}
    ).text

    assert 'list="tz-zones"' in html
    assert "<datalist" not in html


def test_session_page_ambiguous_zone_names_the_candidates_in_its_notice(client, demo):
    response = client.get(canonical("/gmwen4/sessions/1"), query_string={"tz": "new"})

    assert response.status_code == 200
    assert (
        "Choose one: New York (America/New_York), New Salem, North Dakota "
        "(America/North_Dakota/New_Salem), St John’s (America/St_Johns)" in response.text
    )
