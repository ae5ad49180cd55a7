"""A network's page: its information sheets and presentations across every edition, newest
first, with links to the files stored for them."""

import re
from datetime import date

from tests.factories import (
    make_document,
    make_item,
    make_meeting,
    make_network,
    make_series,
    make_session,
    publish_agenda,
    session_ref,
)
from wenevents.extensions import db
from wenevents.uploads.models import DocumentVersion


def test_network_page_links_the_demo_information_sheet_file(client, demo):
    html = client.get("/networks/naweg").text

    link = re.search(r'<a href="(/gmwen4/materials/\d+)" hreflang="en">Information sheet</a>', html)
    assert link
    assert client.get(link[1]).status_code in (200, 302, 308)


def test_network_page_shows_each_editions_sheets_and_talks_newest_first(client):
    network = make_network(slug="latf", acronym="LATF")
    series = make_series()
    old = make_meeting(series=series, number=1, acronym="wen001", title="First meeting",
                       start_date=date(2013, 3, 8), end_date=date(2013, 3, 8),
                       networks=[network])  # fmt: skip
    new = make_meeting(series=series, number=2, acronym="wen002", title="Second meeting",
                       networks=[network])  # fmt: skip
    make_document(old, kind="information_sheet", title="Sheet", network=network,
                  url="https://example.org/2013.pdf")  # fmt: skip
    stored = make_document(new, kind="information_sheet", title="Sheet", network=network,
                           language="fr")  # fmt: skip
    db.session.add(
        DocumentVersion(document=stored, number=1, stored_name="s", original_name="f.pdf",
                        mimetype="application/pdf", size=1, sha256="0" * 64)
    )  # fmt: skip
    make_item(make_session(new), network=network, title="Operations update")
    publish_agenda(new)
    db.session.commit()

    html = client.get("/networks/latf").text

    assert html.index("Second meeting") < html.index("First meeting")
    assert (
        f'<a href="/wen002/materials/{stored.id}" hreflang="fr">Information sheet</a> '
        '<span lang="fr">(FR)</span>'
    ) in html
    assert '<a href="https://example.org/2013.pdf" hreflang="en">Information sheet</a>' in html
    ref = session_ref("wen002", 1)
    assert f'<a href="/wen002/sessions/{ref}">Session 1</a>: Operations update' in html
