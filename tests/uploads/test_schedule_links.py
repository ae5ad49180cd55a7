"""The schedule and session pages link each presentation's public slides."""

import re

import pytest

from tests.factories import publish_agenda
from tests.uploads.conftest import PDF, PDF2, slot, upload
from wenevents.extensions import db


@pytest.fixture
def slides(world, people, new_auth):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(focal.client, "gm", ref, [(PDF, "talk_en.pdf"), (PDF2, "talk_fr.pdf")])
    return slot(world.meeting, language="en"), slot(world.meeting, language="fr")


def slide_links(page):
    return re.findall(r'<a href="(/gm/materials/\d+)" hreflang="(\w\w)">(\w+)</a>', page)


@pytest.mark.parametrize("path", ["/gm/schedule?day=all", "/gm/sessions/1"])
def test_schedule_and_session_link_public_slides(client, world, slides, path):
    english, french = slides

    page = client.get(path, follow_redirects=True).text

    assert slide_links(page) == [
        (f"/gm/materials/{english.id}", "en", "English"),
        (f"/gm/materials/{french.id}", "fr", "French"),
    ]


def test_schedule_leaves_out_restricted_and_embargoed_slides(client, world, slides):
    english, french = slides
    english.access = "participants"
    french.embargoed = True
    # The session as released moves to a day still to come: the embargo holds.
    world.meeting.start_date = world.meeting.start_date.replace(year=2099)
    world.meeting.end_date = world.meeting.end_date.replace(year=2099)
    world.session.day = world.session.day.replace(year=2099)
    db.session.commit()
    publish_agenda(world.meeting)

    assert slide_links(client.get("/gm/sessions/1", follow_redirects=True).text) == []
