"""Each meeting's retention and privacy notice: organisers set them on the meeting's form
(bad input gets a message at the field and changes nothing; every change is audited); the
notice, or the site's standard one, is a public page in each language, linked from the
registration pages."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import make_meeting, make_series
from tests.meetings.test_manage import edit_data
from tests.registration.conftest import form_data
from wenevents.extensions import db
from wenevents.languages import set_translation
from wenevents.meetings.models import DRAFT, Meeting, add_months
from wenevents.registration.models import RegistrationSettings

organiser = organiser_client


@pytest.fixture
def meeting(app):
    meeting = make_meeting(series=make_series(), number=4, acronym="gmw4")
    meeting.registration_settings = RegistrationSettings()
    db.session.commit()
    return meeting


def stored(acronym="gmw4"):
    db.session.expire_all()
    return db.session.scalar(select(Meeting).filter_by(acronym=acronym))


def save(client, meeting, **overrides):
    token = csrf_token(client.get("/manage/meetings/new").text)
    data = {"csrf_token": token, **edit_data(meeting, **overrides)}
    return client.post(f"/manage/meetings/{meeting.acronym}/edit", data=data, headers=HTMX)


# -- The date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 11, 22), 12, date(2024, 11, 22)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 11, 22), 120, date(2033, 11, 22)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# -- The form ---------------------------------------------------------------------------------


def test_meeting_form_shows_the_retention_and_the_notice_in_three_languages(organiser, meeting):
    page = organiser.get("/manage/meetings/gmw4/edit").text

    assert f'id="m{meeting.id}-retention_months"' in page
    assert re.search(rf'name="m{meeting.id}-retention_months"[^>]*value="12"', page)
    for name in ("privacy_notice", "privacy_notice_fr", "privacy_notice_es"):
        assert f'name="m{meeting.id}-{name}"' in page


def test_meeting_form_saves_the_retention_and_audits_the_change(organiser, meeting):
    response = save(organiser, meeting, retention_months="24")

    assert response.status_code == 200
    assert stored().retention_months == 24
    [entry] = audit_entries("meeting.retention")
    assert (entry.summary, entry.details) == ("gmw4: 12 → 24", {"before": 12, "after": 24})
    assert "retention_months" not in audit_entries("meeting.update")[-1].details["fields"]


def test_meeting_form_with_the_retention_left_empty_keeps_the_default(organiser, meeting):
    meeting.retention_months = 36
    db.session.commit()

    save(organiser, meeting, retention_months="")

    assert stored().retention_months == 12
    assert audit_entries("meeting.retention")[-1].details == {"before": 36, "after": 12}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Give a number of months from 1 to 120."),
        ("121", "Give a number of months from 1 to 120."),
        ("-3", "Give a number of months from 1 to 120."),
        ("twelve", "Not a valid integer value."),
        ("99999999999999999999", "Give a number of months from 1 to 120."),
    ],
)
def test_meeting_form_refuses_bad_retention_at_the_field_and_changes_nothing(
    organiser, meeting, value, message
):
    response = save(organiser, meeting, retention_months=value, title="Renamed")

    assert response.status_code == 422
    assert field_error(response.text, f"m{meeting.id}-retention_months") == message
    assert (stored().retention_months, stored().title) == (12, meeting.title)
    assert audit_entries("meeting.retention") == []


def test_meeting_form_saves_the_privacy_notice_and_its_versions_audited(organiser, meeting):
    save(
        organiser,
        meeting,
        privacy_notice="Our own notice.",
        privacy_notice_fr="Notre propre avis.",
    )

    saved = stored()
    assert saved.privacy_notice == "Our own notice."
    assert saved.translations["fr"]["privacy_notice"] == "Notre propre avis."
    [entry] = audit_entries("meeting.privacy_notice")
    assert entry.details == {"fields": ["privacy_notice", "privacy_notice_fr"]}
    updated = audit_entries("meeting.update")[-1].details["fields"]
    assert not [name for name in updated if name.startswith("privacy_notice")]


def test_meeting_form_saving_the_same_notice_audits_nothing(organiser, meeting):
    meeting.privacy_notice = "Same."
    db.session.commit()

    save(organiser, meeting, privacy_notice="Same.")

    assert audit_entries("meeting.privacy_notice") == []


def test_meeting_form_refuses_the_retention_without_csrf(organiser, meeting):
    data = edit_data(meeting, retention_months="60")

    response = organiser.post("/manage/meetings/gmw4/edit", data=data)

    assert response.status_code == 400
    assert stored().retention_months == 12


def test_clone_carries_the_retention_and_the_notice(organiser, meeting):
    meeting.retention_months, meeting.privacy_notice = 18, "Series notice."
    db.session.commit()
    token = csrf_token(organiser.get("/manage/meetings/gmw4/clone").text)
    prefix = f"c{meeting.id}-"
    data = {
        "number": "5", "acronym": "gmw5", "title": "Fifth", "start_date": "2026-11-24",
        "end_date": "2026-11-25", "timezone": "America/Panama", "venue": "", "city": "",
        "country_code": "", "held_alongside": "",
    }  # fmt: skip
    organiser.post(
        "/manage/meetings/gmw4/clone",
        data={"csrf_token": token, **{prefix + k: v for k, v in data.items()}},
    )

    copy = stored("gmw5")
    assert (copy.retention_months, copy.privacy_notice) == (18, "Series notice.")


# -- The public page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "lang", "heading", "date_text"),
    [
        ("", "en", "Privacy notice", "22 November 2024"),
        ("/fr", "fr", "Avis de confidentialité", "22 novembre 2024"),
        ("/es", "es", "Aviso de privacidad", "22 de noviembre de 2024"),
    ],
)
def test_privacy_page_without_a_notice_shows_the_standard_one_in_each_language(
    client, meeting, prefix, lang, heading, date_text
):
    response = client.get(f"{prefix}/gmw4/privacy")

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{heading}</h1>" in response.text
    assert date_text in response.text
    assert 'id="holder-heading"' in response.text


def test_privacy_page_shows_the_organisers_notice_in_the_readers_language(client, meeting):
    meeting.privacy_notice = "Data held by the Secretariat.\n\nAsk us anything."
    set_translation(meeting, "privacy_notice", "fr", "Données détenues par le Secrétariat.")
    db.session.commit()

    english = client.get("/gmw4/privacy").text
    french = client.get("/fr/gmw4/privacy").text
    spanish = client.get("/es/gmw4/privacy").text

    assert "<p>Data held by the Secretariat.</p>" in english
    assert "<p>Ask us anything.</p>" in english
    assert 'id="holder-heading"' not in english
    assert "<p>Données détenues par le Secrétariat.</p>" in french
    # No Spanish version: the English original, marked as English.
    assert '<p><span lang="en">Data held by the Secretariat.</span></p>' in spanish


def test_privacy_page_after_the_removal_says_when_it_was_done(client, meeting):
    from datetime import datetime

    meeting.personal_data_removed_at = datetime(2025, 1, 15, 12, 0)
    db.session.commit()

    page = client.get("/gmw4/privacy").text

    assert "registrations was removed on 15 January 2025" in page


def test_privacy_page_of_a_draft_or_unknown_meeting_is_404(client, meeting):
    make_meeting(acronym="draft9", status=DRAFT)

    assert client.get("/draft9/privacy").status_code == 404
    assert client.get("/nope9/privacy").status_code == 404


@pytest.mark.parametrize("prefix", ["", "/fr", "/es"])
def test_registration_form_links_the_privacy_notice(client, meeting, prefix):
    page = client.get(f"{prefix}/gmw4/register").text

    assert f'href="{prefix}/gmw4/privacy"' in page


@pytest.mark.parametrize("prefix", ["", "/fr", "/es"])
def test_registration_sent_page_links_the_privacy_notice(app, client, meeting, prefix):
    app.config["REGISTRATION_LIMIT"] = "1000 per hour"
    token = csrf_token(client.get(f"{prefix}/gmw4/register").text)
    data = {"csrf_token": token, **form_data(meeting, network_id="", participation_role="observer")}

    response = client.post(f"{prefix}/gmw4/register", data=data)

    assert response.status_code == 200, response.text
    assert f'href="{prefix}/gmw4/privacy"' in response.text


# -- Valid HTML -----------------------------------------------------------------------------


def test_personal_data_pages_pass_nu_html_checker(organiser, meeting, tmp_path):
    from tests.factories import make_registration
    from tests.test_html_validity import check
    from wenevents.registration import retention

    make_registration(meeting, country_code="PA", status="approved")
    retention.purge_due()
    make_registration(meeting)
    meeting = stored()
    meeting.privacy_notice = "Our notice.\n\nA second paragraph."
    db.session.commit()
    paths = [
        "/gmw4/privacy",
        "/fr/gmw4/privacy",
        "/manage/gmw4/registrations/",
        "/manage/meetings/gmw4/edit",
        "/account",
        "/account/close",
    ]
    pages = {path: organiser.get(path).data for path in paths}
    assert b"counts kept" in pages["/manage/gmw4/registrations/"]

    assert check(pages, tmp_path) == []
