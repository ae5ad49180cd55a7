"""Organisers' pages that name a meeting give a stranger, a delegate and a focal point the
same answer for a draft meeting as for an acronym that does not exist: who may see the page
is checked before the meeting is looked up, so nobody learns a draft's acronym."""

import pytest

from tests.factories import make_meeting
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT

# One page of each organisers' blueprint whose URLs name a meeting.
PAGES = [
    "/manage/{acronym}/agenda/",
    "/manage/{acronym}/materials/completeness",
    "/manage/{acronym}/registrations/",
    "/manage/{acronym}/registration/settings",
]


def _answer(client, path):
    response = client.get(path)
    return response.status_code, response.headers.get("Location", "").split("?")[0]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [None, DELEGATE, FOCAL_POINT])
def test_draft_enumeration_answer_is_the_same_as_for_no_meeting(
    app, client, sign_in_as, page, role
):
    make_meeting(acronym="secret26", status=DRAFT)
    db.session.commit()
    if role is not None:
        client = sign_in_as(f"{role}@example.org", role)

    draft = _answer(client, page.format(acronym="secret26"))
    missing = _answer(client, page.format(acronym="nosuch26"))

    assert draft == missing
    assert draft[0] in (302, 303, 403)
