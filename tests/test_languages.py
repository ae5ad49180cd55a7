"""Which language a page is in, the switch, and content read in the reader's language."""

import re

from wenevents.accounts.models import DELEGATE, User
from wenevents.extensions import db
from wenevents.languages import localized, set_translation, writing_in
from wenevents.meetings.models import Meeting
from wenevents.urls import public_url


def html_lang(page):
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def gmwen4():
    return db.session.scalar(db.select(Meeting).filter_by(acronym="gmwen4"))


def test_prefix_fr_gives_a_french_page_whose_links_stay_french(client, demo):
    page = client.get("/fr/gmwen4/").text

    assert html_lang(page) == "fr"
    assert 'href="/fr/gmwen4/schedule"' in page
    assert 'href="/gmwen4/schedule"' not in page


def test_prefix_es_on_a_fragment_answers_in_spanish(client, demo):
    fragment = client.get(
        "/es/networks/",
        query_string={"q": "africa"},
        headers={"HX-Request": "true", "HX-Target": "network-results"},
    )

    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "6 redes para la búsqueda «africa»" in fragment.text
    assert 'href="/es/networks/comifac"' in fragment.text


def test_unprefixed_page_follows_accept_language_and_varies_on_it(client, demo):
    response = client.get("/gmwen4/", headers={"Accept-Language": "es-PA,es;q=0.9,en;q=0.5"})

    assert html_lang(response.text) == "es"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_unprefixed_page_without_accept_language_is_english(client, demo):
    response = client.get("/gmwen4/")

    assert html_lang(response.text) == "en"


def test_prefixed_page_does_not_vary_on_accept_language(client, demo):
    response = client.get("/fr/gmwen4/", headers={"Accept-Language": "es"})

    assert html_lang(response.text) == "fr"
    assert "Accept-Language" not in response.vary


def test_switch_sets_the_cookie_and_redirects_to_the_page_in_that_language(client, demo):
    response = client.get("/language/fr", query_string={"next": "/gmwen4/schedule?day=2023-11-21"})

    assert response.status_code == 303
    assert response.location == "/fr/gmwen4/schedule?day=2023-11-21"
    assert client.get_cookie("language").value == "fr"
    # The choice now beats the browser's language on an unprefixed address.
    page = client.get("/gmwen4/", headers={"Accept-Language": "es"}).text
    assert html_lang(page) == "fr"


def test_switch_keeps_the_choice_on_the_signed_in_account(client, demo, make_user, auth):
    make_user("delegate@example.net", DELEGATE)
    auth.login("delegate@example.net")

    client.get("/fr/language/es", query_string={"next": "/account"})

    user = db.session.scalar(db.select(User).filter_by(email="delegate@example.net"))
    assert user.language == "es"
    client.delete_cookie("language")
    assert html_lang(client.get("/account").text) == "es"


def test_switch_to_an_unknown_language_is_not_found(client, demo):
    assert client.get("/language/de", query_string={"next": "/"}).status_code == 404


def test_switch_never_redirects_to_another_host(client, demo):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.get("/language/es", query_string={"next": target})

        assert response.status_code == 303
        assert response.location == "/es/"


def test_alternates_name_every_language_from_the_public_address(client, demo, app):
    page = client.get("/fr/gmwen4/schedule", headers={"Host": "127.0.0.1"}).text
    base = app.config["PUBLIC_URL"].rstrip("/")

    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
    assert alternates == [
        ("en", f"{base}/en/gmwen4/schedule"),
        ("fr", f"{base}/fr/gmwen4/schedule"),
        ("es", f"{base}/es/gmwen4/schedule"),
        ("x-default", f"{base}/gmwen4/schedule"),
    ]


def test_meeting_title_in_french_when_translated(client, demo):
    meeting = gmwen4()
    set_translation(meeting, "title", "fr", "4e Réunion mondiale (essai)")
    db.session.commit()

    page = client.get("/fr/gmwen4/").text

    assert "<h1>4e Réunion mondiale (essai)</h1>" in page


def test_missing_translation_shows_the_english_marked_with_its_language(client, demo):
    meeting = gmwen4()
    meeting.translations = {}
    db.session.commit()

    page = client.get("/es/gmwen4/").text

    assert f'<h1><span lang="en">{meeting.title}</span></h1>' in page


def test_localized_never_gives_an_empty_text_for_a_blank_translation(app):
    meeting = Meeting(title="Original", translations={"fr": {"title": "   "}})

    text = localized(meeting, "title", "fr")

    assert (text, text.language, text.fallback) == ("Original", "en", True)


def test_set_translation_with_empty_text_removes_it(app):
    meeting = Meeting(title="Original", translations={"fr": {"title": "Titre"}})

    set_translation(meeting, "title", "fr", "")

    assert meeting.translations == {}


def test_public_url_in_a_french_mail_links_to_the_french_pages(app, demo):
    base = app.config["PUBLIC_URL"].rstrip("/")
    with app.test_request_context("/"), writing_in("fr"):
        french = public_url("meetings.meeting", acronym="gmwen4")
    with app.test_request_context("/"), writing_in("en"):
        english = public_url("meetings.meeting", acronym="gmwen4")

    assert french == f"{base}/fr/gmwen4/"
    assert english == f"{base}/gmwen4/"


def test_date_range_in_each_language(client, demo):
    assert "21–22 November 2023" in client.get("/en/gmwen4/").text
    assert "21–22 novembre 2023" in client.get("/fr/gmwen4/").text
    assert "21–22 de noviembre de 2023" in client.get("/es/gmwen4/").text
