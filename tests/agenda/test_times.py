"""The times the schedule shows (agenda.views.times): kept with a released entry, for a
few zones and languages only."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from wenevents.agenda import views
from wenevents.agenda.releases import PublicItem

PANAMA = ZoneInfo("America/Panama")


def released_item():
    return PublicItem(
        uid="item-1",
        kind="presentation",
        title="Opening",
        presenters="",
        duration_minutes=30,
        day=date(2023, 11, 21),
        starts_at=time(21, 30),
        ends_at=time(22, 0),
        network=None,
        sequence=0,
        modified=datetime(2023, 11, 1, tzinfo=UTC),
    )


def test_times_of_a_released_item_are_computed_once_per_zone_and_language(app):
    item = released_item()
    with app.test_request_context():
        first = views.times(item, PANAMA)
        assert views.times(item, PANAMA) is first
        assert first == (
            "2023-11-21T21:30:00-05:00",
            "21:30",
            "2023-11-21T22:00:00-05:00",
            "22:00",
            "",
            "UTC\N{MINUS SIGN}05:00",
        )
        tokyo = ZoneInfo("Asia/Tokyo")
        with force_locale("fr"):
            french = views.times(item, PANAMA, tokyo)
        english = views.times(item, PANAMA, tokyo)
    assert (french.start, french.other_day) == ("11:30", "mer. 22 nov.")
    assert (english.start, english.other_day) == ("11:30", "Wed 22 Nov")


def test_times_given_the_page_language_are_the_ones_kept_for_it(app):
    item = released_item()
    tokyo = ZoneInfo("Asia/Tokyo")
    with app.test_request_context(), force_locale("fr"):
        looked_up = views.times(item, PANAMA, tokyo)
        assert views.times(item, PANAMA, tokyo, "fr") is looked_up
    assert list(item._shown_times) == [(PANAMA, tokyo, "fr")]


def test_times_kept_with_a_released_item_are_bounded(app):
    item = released_item()
    zones = [
        "Europe/Paris",
        "Asia/Tokyo",
        "Africa/Nairobi",
        "America/Lima",
        "Asia/Bangkok",
        "Europe/London",
        "Asia/Kolkata",
        "Australia/Sydney",
        "Pacific/Auckland",
        "America/Bogota",
        "Africa/Lagos",
        "Asia/Dubai",
    ]
    with app.test_request_context():
        shown = [views.times(item, PANAMA, ZoneInfo(zone)) for zone in zones]
        again = views.times(item, PANAMA, ZoneInfo(zones[-1]))
    assert len(item._shown_times) == views.KEPT_TIMES
    assert again == shown[-1]
