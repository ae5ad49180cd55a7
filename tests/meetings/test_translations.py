"""The organisers' translations page of a meeting: everything with English text and no
French or Spanish version, asked of every domain, each with a link to the page where it is
translated; a count per language there and on the meeting's card in the organisers' list."""

from datetime import time

import lxml.html
import pytest

from tests.conftest import HTMX, audit_entries, organiser_client
from tests.factories import (
    make_document,
    make_item,
    make_meeting,
    make_network,
    make_series,
    make_session,
)
from tests.test_html_validity import check
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT
from wenevents.registration.models import Question

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client

PAGE = "/manage/gm/translations"
BOTH = {"fr": {"title": "Titre"}, "es": {"title": "Título"}}


def translated_series():
    return make_series(translations={"fr": {"name": "Série"}, "es": {"name": "Serie"}})


def make_question(meeting, **kwargs):
    question = Question(**{"meeting_id": meeting.id, "kind": "short_text", "label": "Q", **kwargs})
    db.session.add(question)
    db.session.commit()
    return question


@pytest.fixture
def meeting(app):
    """A meeting with some of its content translated and some not (see each comment)."""
    series = make_series(
        slug="gm-series",
        name="Global Meeting",
        translations={"fr": {"name": "Réunion mondiale"}, "es": {"name": "Reunión mundial"}},
    )
    done = make_network(
        acronym="SAWEN",
        name="South Asia WEN",
        translations={"fr": {"name": "REAS"}, "es": {"name": "REAS"}},
    )
    todo = make_network(acronym="ASEAN-WEN", name="ASEAN WEN", description="Regional network")
    meeting = make_meeting(
        acronym="gm",
        title="Fifth Global Meeting",
        description="About the meeting",
        series=series,
        networks=[done, todo],
        # The description has no Spanish version.
        translations={
            "fr": {"title": "Cinquième réunion", "description": "La réunion"},
            "es": {"title": "Quinta reunión"},
        },
    )
    opening = make_session(meeting, title="Opening", translations=BOTH)
    make_session(meeting, title="Seizures", starts_at=time(11), ends_at=time(12))
    make_item(opening, title="Overview", translations={"fr": {"title": "Aperçu"}})
    make_item(opening, title="Translated item", translations=BOTH)
    make_question(meeting, label="Dietary needs", help="")
    make_question(
        meeting,
        label="Arrival",
        help="When you arrive",
        translations={"fr": {"label": "Arrivée", "help": "Quand"}, "es": {"label": "Llegada"}},
    )
    make_document(meeting, kind="report", title="Report", translations=BOTH)
    make_document(meeting, kind="press_release", title="Press release")
    # A network's sheet and a presentation's slides are named after the network and item.
    make_document(meeting, kind="information_sheet", title="Sheet", network=todo)
    make_document(meeting, kind="slides", title="Slides")
    return meeting


def rows(html):
    """``[(kind, what, missing, link text, href)]`` of the page's table."""
    page = lxml.html.fromstring(html)
    found = []
    for group in page.xpath('//div[@id="untranslated"]//tbody'):
        for row in group.xpath("./tr[td]"):
            what, missing, link = row.xpath("./td")
            anchor = link.xpath("./a")[0]
            found.append(
                (
                    group.get("id").removeprefix("kind-"),
                    what.text_content(),
                    "; ".join(missing.itertext()),
                    " ".join(anchor.text_content().split()),
                    anchor.get("href"),
                )
            )
    return found


def counts(html):
    page = lxml.html.fromstring(html)
    return {
        item.get("id"): " ".join(item.text_content().split())
        for item in page.xpath('//ul[@aria-labelledby="translation-counts-heading"]/li')
    }


def test_translations_page_lists_exactly_what_has_no_french_or_spanish_version(organiser, meeting):
    response = organiser.get(PAGE)

    assert response.status_code == 200
    assert [row[:3] for row in rows(response.text)] == [
        ("meeting", "Fifth Global Meeting (gm)", "Spanish: description"),
        (
            "network",
            "ASEAN WEN (ASEAN-WEN)",
            "French: name, description; Spanish: name, description",
        ),
        ("session", "Seizures (Session 2)", "French: title; Spanish: title"),
        ("item", "Overview (session 1)", "Spanish: title"),
        ("question", "Dietary needs", "French: question; Spanish: question"),
        ("question", "Arrival", "Spanish: help text"),
        ("document", "Press release (English)", "French: title; Spanish: title"),
    ]


def test_translations_page_links_each_row_to_the_page_where_it_is_edited(organiser, meeting):
    session = meeting.sessions[1]
    item = meeting.sessions[0].items[0]
    network = meeting.networks[0]
    dietary, arrival = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    press = next(d for d in meeting.documents if d.kind == "press_release")

    links = [row[3:] for row in rows(organiser.get(PAGE).text)]

    assert network.acronym == "ASEAN-WEN"
    assert links == [
        ("Translate Fifth Global Meeting (gm)", "/manage/meetings/gm/edit"),
        ("Translate ASEAN WEN (ASEAN-WEN)", f"/manage/networks/{network.id}"),
        (
            "Translate Seizures (Session 2)",
            f"/manage/gm/agenda/sessions/{session.id}#session-{session.id}",
        ),
        ("Translate Overview (session 1)", f"/manage/gm/agenda/items/{item.id}#item-{item.id}"),
        (
            "Translate Dietary needs",
            f"/manage/gm/registration/questions/{dietary.id}#question-{dietary.id}",
        ),
        (
            "Translate Arrival",
            f"/manage/gm/registration/questions/{arrival.id}#question-{arrival.id}",
        ),
        ("Translate Press release (English)", f"/gm/materials/{press.id}/versions#title-heading"),
    ]
    for _label, href in links:
        assert organiser.get(href.split("#")[0]).status_code == 200


def test_translations_page_lists_the_series_when_it_is_not_translated(organiser, meeting):
    meeting.series.translations = {"fr": {"name": "Réunion mondiale"}}
    db.session.commit()

    first = rows(organiser.get(PAGE).text)[0]

    assert first == (
        "series",
        "Global Meeting",
        "Spanish: name",
        "Translate Global Meeting",
        f"/manage/meetings/series/{meeting.series.id}",
    )


def test_translations_page_counts_pieces_missing_each_language(organiser, meeting):
    html = organiser.get(PAGE).text

    assert counts(html) == {"count-fr": "French 4", "count-es": "Spanish 7"}


def test_translations_page_narrows_to_one_language_without_javascript(organiser, meeting):
    html = organiser.get(PAGE, query_string={"language": "fr"}).text

    assert [row[1:3] for row in rows(html)] == [
        ("ASEAN WEN (ASEAN-WEN)", "French: name, description"),
        ("Seizures (Session 2)", "French: title"),
        ("Dietary needs", "French: question"),
        ("Press release (English)", "French: title"),
    ]
    assert '<option value="fr" selected>French</option>' in html
    # The counts stay those of both languages.
    assert counts(html) == {"count-fr": "French 4", "count-es": "Spanish 7"}


def test_translations_page_to_htmx_answers_the_list_alone(organiser, meeting):
    response = organiser.get(
        PAGE, query_string={"language": "es"}, headers={**HTMX, "HX-Target": "untranslated"}
    )

    assert response.text.lstrip().startswith('<div id="untranslated"')
    assert "<html" not in response.text
    assert len(rows(response.text)) == 7


def test_translations_page_ignores_a_language_it_does_not_translate_into(organiser, meeting):
    html = organiser.get(PAGE, query_string={"language": "de"}).text

    assert len(rows(html)) == 7
    assert " selected>" not in html


def test_translations_page_in_french_marks_the_english_content_and_keeps_french_links(
    organiser, meeting
):
    html = organiser.get("/fr" + PAGE).text

    assert '<html lang="fr">' in html
    assert '<td><span lang="en">Seizures</span>' in html
    assert [row[4] for row in rows(html)][:2] == [
        "/fr/manage/meetings/gm/edit",
        f"/fr/manage/networks/{meeting.networks[0].id}",
    ]


def test_translations_page_says_everything_is_translated_when_nothing_is_missing(organiser):
    make_meeting(acronym="gm", title="All done", series=translated_series(), translations=BOTH)

    html = organiser.get(PAGE).text
    only_french = organiser.get(PAGE, query_string={"language": "fr"}).text

    assert "<p>Everything is translated into French and Spanish.</p>" in html
    assert "<table" not in html
    assert counts(html) == {"count-fr": "French 0", "count-es": "Spanish 0"}
    assert "<p>Everything is translated into French.</p>" in only_french


def test_translations_page_of_a_draft_is_the_organisers_too(organiser):
    make_meeting(acronym="gm", title="Draft meeting", series=translated_series(), status=DRAFT)

    assert rows(organiser.get(PAGE).text)[0][1] == "Draft meeting (gm)"


def test_translations_page_of_no_meeting_is_404(organiser):
    assert organiser.get("/manage/nomeeting/translations").status_code == 404


def test_translations_page_asks_anonymous_visitors_to_sign_in(client, meeting):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [DELEGATE, FOCAL_POINT])
def test_translations_page_refuses_other_roles_with_audit(sign_in_as, meeting, role):
    browser = sign_in_as("someone@example.org", role)

    response = browser.get(PAGE)

    assert response.status_code == 403
    assert "Fifth Global Meeting" not in response.text
    assert len(audit_entries("access.denied")) == 1


def test_translations_page_passes_nu_html_checker(organiser, meeting, tmp_path):
    pages = {
        PAGE: organiser.get(PAGE).data,
        PAGE + "?language=fr": organiser.get(PAGE + "?language=fr").data,
    }
    make_meeting(acronym="gm2", title="All done", series=translated_series(), translations=BOTH)
    pages["empty"] = organiser.get("/manage/gm2/translations").data

    assert check(pages, tmp_path) == []


# -- The count on the meeting's card -------------------------------------------------------


def card_line(html, acronym):
    page = lxml.html.fromstring(html)
    (line,) = page.xpath(f'//li[@id="meeting-{acronym}"]//p[@class="card-translations"]')
    anchor = line.xpath("./a")[0]
    return " ".join(anchor.text_content().split()), anchor.get("href")


def test_manage_meetings_card_counts_what_is_not_yet_translated(organiser, meeting):
    make_meeting(acronym="gm2", title="All done", series=translated_series(), translations=BOTH)

    html = organiser.get("/manage/meetings/").text

    assert card_line(html, "gm") == (
        "Not yet translated: French 4, Spanish 7 (gm)",
        "/manage/gm/translations",
    )
    assert card_line(html, "gm2") == (
        "Everything is translated into French and Spanish. (gm2)",
        "/manage/gm2/translations",
    )


def test_manage_meetings_card_to_htmx_keeps_its_count(organiser, meeting):
    response = organiser.get("/manage/meetings/gm/card", headers=HTMX)

    assert card_line(response.text, "gm")[0] == "Not yet translated: French 4, Spanish 7 (gm)"


# -- Queries do not grow with the data ------------------------------------------------------


def ten_times(meeting):
    """Nine more sessions of five items, networks, questions and documents, untranslated."""
    for n in range(9):
        session = make_session(meeting, title=f"Extra {n}", starts_at=time(11), ends_at=time(12))
        for m in range(5):
            make_item(session, title=f"Item {n}.{m}")
        network = make_network(description="Untranslated")
        meeting.networks.append(network)
        make_question(meeting, label=f"Question {n}")
        make_document(meeting, kind="other", title=f"Document {n}")
    db.session.commit()


@pytest.mark.parametrize("path", [PAGE, "/manage/meetings/"])
def test_translations_query_count_same_at_1x_and_10x(organiser, meeting, count_queries, path):
    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert organiser.get(path).status_code == 200
        return len(statements)

    at_1x = queries()
    ten_times(meeting)
    at_10x = queries()

    assert len(rows(organiser.get(PAGE).text)) > 60
    assert at_10x == at_1x
