"""The organisers' agenda editor: sessions and items in place, ordering, warnings,
stale edits, and bad input that changes nothing."""

import json
import re
from datetime import date, time

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, csrf_token, field_error, organiser_client
from tests.factories import make_item, make_meeting, make_network, make_session
from wenevents.accounts.models import DELEGATE
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.uploads.models import Document


@pytest.fixture
def meeting(app):
    networks = [make_network(acronym="ASEAN-WEN", slug="asean-wen"), make_network(acronym="SAWEN")]
    return make_meeting(acronym="gm", networks=networks)


# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def editor(client, meeting=None):
    return client.get(f"/manage/{meeting.acronym if meeting else 'gm'}/agenda/")


def token(client):
    return csrf_token(editor(client).text)


def session_data(**overrides):
    return {
        "new-title": "Opening",
        "new-day": "2023-11-21",
        "new-starts_at": "09:00",
        "new-ends_at": "10:30",
        "new-room": "Plenary",
        "new-chair": "Ana Ruiz",
        "new-description": "",
        "new-objectives": "",
        "new-is_public": "y",
        **overrides,
    }


def add_session(client, headers=None, **overrides):
    data = {"csrf_token": token(client), **session_data(**overrides)}
    return client.post("/manage/gm/agenda/sessions", data=data, headers=headers)


def sessions(meeting):
    db.session.expire_all()
    return db.session.scalars(
        select(Session).where(Session.meeting_id == meeting.id).order_by(Session.number)
    ).all()


def numbered(meeting):
    return [(s.number, s.title, s.starts_at.strftime("%H:%M")) for s in sessions(meeting)]


def test_editor_asks_anonymous_visitors_to_sign_in(client, meeting):
    response = editor(client)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_editor_refuses_delegates(client, meeting, make_user, auth):
    make_user("d@example.org", role=DELEGATE)
    auth.login("d@example.org")

    assert editor(client).status_code == 403


def test_editor_shows_an_empty_draft(organiser, meeting):
    response = editor(organiser)

    assert response.status_code == 200
    assert "No sessions on this day yet." in response.text
    assert "Publish release 1" in response.text


def test_add_session_renumbers_the_others(organiser, meeting):
    add_session(
        organiser, **{"new-title": "Late", "new-starts_at": "14:00", "new-ends_at": "15:00"}
    )
    add_session(organiser, **{"new-title": "Early"})

    assert numbered(meeting) == [(1, "Early", "09:00"), (2, "Late", "14:00")]


def test_add_session_with_htmx_returns_the_agenda_block(organiser, meeting):
    response = add_session(organiser, headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="agenda"')
    assert "Session 1</h3>" not in response.text
    assert "Session 1 – Opening" in response.text


def test_add_session_without_js_redirects_to_the_editor(organiser, meeting):
    response = add_session(organiser)

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/gm/agenda/#session-1"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"new-ends_at": "08:00"}, "new-ends_at", "The end must be after the start."),
        ({"new-ends_at": "09:00"}, "new-ends_at", "The end must be after the start."),
        (
            {"new-day": "2023-11-24"},
            "new-day",
            "Choose a day of the meeting, from 21 November 2023 to 22 November 2023.",
        ),
        ({"new-day": "not a day"}, "new-day", "Not a valid date value."),
        ({"new-title": ""}, "new-title", "This field is required."),
        ({"new-starts_at": "25:99"}, "new-starts_at", "Not a valid time value."),
    ],
)
def test_add_session_bad_input_gets_message_at_field(organiser, meeting, overrides, field, message):
    response = add_session(organiser, **overrides)

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert sessions(meeting) == []


def test_edit_session_bad_input_changes_nothing(organiser, meeting):
    session = make_session(meeting, title="Kept", starts_at=time(9), ends_at=time(10))
    page = organiser.get(f"/manage/gm/agenda/sessions/{session.id}").text

    response = organiser.post(
        f"/manage/gm/agenda/sessions/{session.id}",
        data={
            "csrf_token": csrf_token(page),
            f"s{session.id}-version": "1",
            f"s{session.id}-title": "Changed",
            f"s{session.id}-day": "2023-11-30",
            f"s{session.id}-starts_at": "09:00",
            f"s{session.id}-ends_at": "10:00",
        },
    )

    assert response.status_code == 422
    assert field_error(response.text, f"s{session.id}-day").startswith(
        "Choose a day of the meeting"
    )
    assert numbered(meeting) == [(1, "Kept", "09:00")]


def _session_form(client, session, **overrides):
    page = client.get(f"/manage/gm/agenda/sessions/{session.id}", headers=HTMX).text
    prefix = f"s{session.id}"
    version = re.search(rf'name="{prefix}-version" type="hidden" value="(\d+)"', page)
    version = version or re.search(
        rf'id="{prefix}-version" name="{prefix}-version" type="hidden" value="(\d+)"', page
    )
    data = {
        "csrf_token": token(client),
        f"{prefix}-version": version.group(1),
        f"{prefix}-title": session.title,
        f"{prefix}-day": session.day.isoformat(),
        f"{prefix}-starts_at": session.starts_at.strftime("%H:%M"),
        f"{prefix}-ends_at": session.ends_at.strftime("%H:%M"),
        f"{prefix}-room": session.room,
        f"{prefix}-chair": session.chair,
        f"{prefix}-is_public": "y",
    }
    return {**data, **{f"{prefix}-{k}": v for k, v in overrides.items()}}


def test_edit_session_in_place_saves_and_renumbers(organiser, meeting):
    first = make_session(meeting, title="First", starts_at=time(9), ends_at=time(10))
    make_session(meeting, title="Second", starts_at=time(11), ends_at=time(12))
    data = _session_form(organiser, first, starts_at="13:00", ends_at="14:00", title="Moved")

    response = organiser.post(f"/manage/gm/agenda/sessions/{first.id}", data=data, headers=HTMX)

    assert response.status_code == 200
    assert numbered(meeting) == [(1, "Second", "11:00"), (2, "Moved", "13:00")]
    # The form aimed at its session; the renumbered agenda goes in place of the agenda.
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == (
        "#agenda",
        "outerHTML",
    )


def test_edit_session_second_save_is_told_it_changed(organiser, meeting):
    session = make_session(meeting, title="Original")
    first = _session_form(organiser, session, title="First organiser")
    second = _session_form(organiser, session, title="Second organiser")

    assert organiser.post(f"/manage/gm/agenda/sessions/{session.id}", data=first).status_code == 303
    response = organiser.post(f"/manage/gm/agenda/sessions/{session.id}", data=second)

    assert response.status_code == 409
    assert "Someone else changed this session since you opened it." in response.text
    assert "Title: First organiser" in response.text
    assert numbered(meeting) == [(1, "First organiser", "09:00")]


def test_edit_session_after_conflict_saves_on_second_try(organiser, meeting):
    session = make_session(meeting, title="Original")
    first = _session_form(organiser, session, title="First organiser")
    second = _session_form(organiser, session, title="Second organiser")
    organiser.post(f"/manage/gm/agenda/sessions/{session.id}", data=first)
    conflict = organiser.post(f"/manage/gm/agenda/sessions/{session.id}", data=second).text
    second[f"s{session.id}-version"] = re.search(
        rf'name="s{session.id}-version" type="hidden" value="(\d+)"', conflict
    ).group(1)

    assert (
        organiser.post(f"/manage/gm/agenda/sessions/{session.id}", data=second).status_code == 303
    )
    assert numbered(meeting) == [(1, "Second organiser", "09:00")]


def test_renumbering_does_not_make_an_open_form_stale(organiser, meeting):
    later = make_session(meeting, title="Later", starts_at=time(14), ends_at=time(15))
    data = _session_form(organiser, later, title="Later, renamed")
    add_session(organiser)  # an earlier session: "Later" becomes number 2

    response = organiser.post(f"/manage/gm/agenda/sessions/{later.id}", data=data)

    assert response.status_code == 303
    assert numbered(meeting) == [(1, "Opening", "09:00"), (2, "Later, renamed", "14:00")]


def test_delete_session_asks_first_then_deletes_and_renumbers(organiser, meeting):
    first = make_session(meeting, title="First", starts_at=time(9), ends_at=time(10))
    make_session(meeting, title="Second", starts_at=time(11), ends_at=time(12))
    path = f"/manage/gm/agenda/sessions/{first.id}/delete"

    ask = organiser.get(path, headers=HTMX)
    unconfirmed = organiser.post(path, data={"csrf_token": token(organiser)})
    assert numbered(meeting) == [(1, "First", "09:00"), (2, "Second", "11:00")]
    done = organiser.post(path, data={"csrf_token": token(organiser), "confirmed": "yes"})

    assert "Delete session 1 – First?" in ask.text
    assert "Delete session 1 – First?" in unconfirmed.text
    assert done.status_code == 303
    assert numbered(meeting) == [(1, "Second", "11:00")]


def test_delete_session_with_slides_keeps_the_files(organiser, meeting):
    session = make_session(meeting)
    item = make_item(session, network=meeting.networks[0])
    db.session.add(Document(meeting=meeting, kind="slides", title="Slides", agenda_item_id=item.id))
    db.session.commit()
    path = f"/manage/gm/agenda/sessions/{session.id}/delete"

    ask = organiser.get(path).text
    organiser.post(path, data={"csrf_token": token(organiser), "confirmed": "yes"})

    assert "1 uploaded file is kept, unlinked, among the meeting's documents." in ask
    db.session.expire_all()
    kept = db.session.scalars(select(Document).where(Document.kind == "slides")).one()
    assert (kept.title, kept.agenda_item_id) == ("Slides", None)
    assert sessions(meeting) == []


def test_delete_item_without_javascript_asks_first(organiser, meeting):
    item_id = make_item(make_session(meeting), title="Update from SAWEN").id
    page = editor(organiser).text
    action = re.search(rf'action="(/manage/gm/agenda/items/{item_id}/delete[^"]*)"', page)

    ask = organiser.post(action.group(1), data={"csrf_token": token(organiser)})

    assert action.group(1).endswith(f"#item-{item_id}")  # the answer opens at the item
    assert ask.status_code == 200
    assert "Delete “Update from SAWEN”?" in ask.text
    assert f'<li id="item-{item_id}" class="editor-item deleting">' in ask.text
    assert db.session.get(AgendaItem, item_id) is not None
    done = organiser.post(
        action.group(1), data={"csrf_token": token(organiser), "confirmed": "yes"}
    )
    assert done.status_code == 303
    assert db.session.get(AgendaItem, item_id) is None


def test_delete_item_confirmed_in_the_htmx_dialog_deletes_at_once(organiser, meeting):
    session = make_session(meeting)
    item_id = make_item(session, title="Update").id
    page = editor(organiser).text

    response = organiser.post(
        f"/manage/gm/agenda/items/{item_id}/delete",
        data={"csrf_token": token(organiser), "confirmed": "dialog"},
        headers=HTMX,
    )

    assert """data-hx-confirm="Delete “Update”?" data-hx-vals='{"confirmed": "dialog"}'""" in page
    assert response.status_code == 200
    # Only the session's card comes back, in place of it; the rest of the agenda stays.
    assert response.text.lstrip().startswith(f'<li id="session-{session.id}"')
    assert response.headers["HX-Retarget"] == f"#session-{session.id}"
    assert 'id="agenda"' not in response.text
    assert '<p id="editor-status" data-hx-swap-oob="innerHTML">“Update” deleted.</p>' in (
        response.text
    )
    assert db.session.get(AgendaItem, item_id) is None


def test_delete_item_with_slides_asks_again_after_the_dialog(organiser, meeting):
    item = make_item(make_session(meeting), network=meeting.networks[0])
    db.session.add(Document(meeting=meeting, kind="slides", title="Slides", agenda_item_id=item.id))
    db.session.commit()

    response = organiser.post(
        f"/manage/gm/agenda/items/{item.id}/delete",
        data={"csrf_token": token(organiser), "confirmed": "dialog"},
        headers=HTMX,
    )

    assert "1 uploaded file is kept, unlinked, among the meeting's documents." in response.text
    # In place of the item, in its session's card (swapped in place of the card).
    assert response.text.lstrip().startswith(f'<li id="session-{item.session_id}"')
    assert response.headers["HX-Retarget"] == f"#session-{item.session_id}"
    assert f'<li id="item-{item.id}" class="editor-item deleting">' in response.text
    assert db.session.get(AgendaItem, item.id) is not None


def item_data(client, session, **overrides):
    prefix = f"add{session.id}"
    values = {
        "kind": "presentation",
        "title": "Update",
        "network": "",
        "presenters": "",
        "duration_minutes": "15",
        **overrides,
    }
    return {"csrf_token": token(client), **{f"{prefix}-{k}": v for k, v in values.items()}}


def add_item(client, session, headers=None, **overrides):
    return client.post(
        f"/manage/gm/agenda/sessions/{session.id}/items",
        data=item_data(client, session, **overrides),
        headers=headers,
    )


def items_of(session):
    db.session.expire_all()
    return [
        (i.title, i.position, i.network.acronym if i.network else None, i.duration_minutes)
        for i in db.session.get(Session, session.id).items
    ]


def test_add_item_appends_a_presentation_by_a_network(organiser, meeting):
    session = make_session(meeting)
    network = meeting.networks[0]

    add_item(organiser, session, title="Welcome", kind="discussion", duration_minutes="10")
    response = add_item(organiser, session, network=str(network.id), headers=HTMX)

    assert response.status_code == 200
    assert items_of(session) == [("Welcome", 0, None, 10), ("Update", 1, "ASEAN-WEN", 15)]
    assert "09:10–09:25" in response.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"network": "99999"}, "network", "Choose a network that takes part in this meeting."),
        ({"network": ""}, "network", "Choose the network that presents."),
        ({"duration_minutes": "0"}, "duration_minutes", "Give between 1 and 600 minutes."),
        ({"duration_minutes": "ten"}, "duration_minutes", "Not a valid integer value."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_add_item_bad_input_gets_message_at_field(organiser, meeting, overrides, field, message):
    session = make_session(meeting)

    response = add_item(organiser, session, **overrides)

    assert response.status_code == 422
    assert field_error(response.text, f"add{session.id}-{field}") == message
    assert items_of(session) == []


def test_add_item_network_of_another_meeting_is_refused(organiser, meeting):
    session = make_session(meeting)
    outsider = make_network(acronym="OUT")

    response = add_item(organiser, session, network=str(outsider.id))

    assert response.status_code == 422
    assert items_of(session) == []


def test_change_duration_shifts_the_following_items(organiser, meeting):
    session = make_session(meeting)
    first = make_item(session, kind="discussion", title="Opening", duration_minutes=10)
    make_item(session, kind="discussion", title="Talk", duration_minutes=20)
    page = organiser.get(f"/manage/gm/agenda/items/{first.id}").text
    version = re.search(rf'name="i{first.id}-version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "csrf_token": csrf_token(page),
        f"i{first.id}-version": version,
        f"i{first.id}-kind": "discussion",
        f"i{first.id}-title": "Opening",
        f"i{first.id}-network": "",
        f"i{first.id}-presenters": "",
        f"i{first.id}-duration_minutes": "25",
        f"i{first.id}-session": str(session.id),
    }

    organiser.post(f"/manage/gm/agenda/items/{first.id}", data=data)
    html = editor(organiser).text

    assert "09:00–09:25" in html
    assert "09:25–09:45" in html


def test_move_item_buttons_reorder_within_session(organiser, meeting):
    session = make_session(meeting)
    make_item(session, kind="discussion", title="A")
    second = make_item(session, kind="discussion", title="B")

    organiser.post(
        f"/manage/gm/agenda/items/{second.id}/move",
        data={"csrf_token": token(organiser), "direction": "up"},
    )

    assert [t for t, *_ in items_of(session)] == ["B", "A"]


@pytest.mark.parametrize("direction", [None, "", "sideways", "UP"])
def test_move_item_without_up_or_down_is_refused_and_moves_nothing(organiser, meeting, direction):
    session = make_session(meeting)
    make_item(session, kind="discussion", title="A")
    second = make_item(session, kind="discussion", title="B")
    data = {"csrf_token": token(organiser)}
    if direction is not None:
        data["direction"] = direction

    response = organiser.post(f"/manage/gm/agenda/items/{second.id}/move", data=data)

    assert response.status_code == 400
    assert [t for t, *_ in items_of(session)] == ["A", "B"]


def test_move_session_without_up_or_down_is_refused_and_moves_nothing(organiser, meeting):
    make_session(meeting, title="First", starts_at=time(9), ends_at=time(10, 30))
    second = make_session(meeting, title="Second", starts_at=time(11), ends_at=time(12))

    response = organiser.post(
        f"/manage/gm/agenda/sessions/{second.id}/move", data={"csrf_token": token(organiser)}
    )

    assert response.status_code == 400
    assert numbered(meeting) == [(1, "First", "09:00"), (2, "Second", "11:00")]


def test_each_row_has_one_move_form_whose_buttons_name_the_direction(organiser, meeting):
    session = make_session(meeting)
    item = make_item(session, kind="discussion", title="A")

    html = editor(organiser).text

    for url in (
        f"/manage/gm/agenda/sessions/{session.id}/move",
        f"/manage/gm/agenda/items/{item.id}/move",
    ):
        assert html.count(f'<form class="inline-form" method="post" action="{url}"') == 1
        form = html[html.index(f'action="{url}"') :]
        form = form[: form.index("</form>")]
        assert re.findall(r'name="direction" value="(\w+)"', form) == ["up", "down"]


def test_order_items_brings_an_item_from_another_session(organiser, meeting):
    one = make_session(meeting, starts_at=time(9), ends_at=time(10))
    two = make_session(meeting, starts_at=time(11), ends_at=time(12))
    a = make_item(one, kind="discussion", title="A")
    b = make_item(one, kind="discussion", title="B")
    c = make_item(two, kind="discussion", title="C")

    organiser.post(
        f"/manage/gm/agenda/sessions/{two.id}/order",
        data={"csrf_token": token(organiser), "item": [str(a.id), str(c.id)]},
        headers=HTMX,
    )

    assert [(t, p) for t, p, *_ in items_of(one)] == [("B", 0)]
    assert [(t, p) for t, p, *_ in items_of(two)] == [("A", 0), ("C", 1)]
    assert b.id


def test_move_session_swaps_time_slots_and_renumbers(organiser, meeting):
    first = make_session(meeting, title="First", starts_at=time(9), ends_at=time(10, 30))
    second = make_session(meeting, title="Second", starts_at=time(11), ends_at=time(12))

    organiser.post(
        f"/manage/gm/agenda/sessions/{second.id}/move",
        data={"csrf_token": token(organiser), "direction": "up"},
    )

    assert numbered(meeting) == [(1, "Second", "09:00"), (2, "First", "10:30")]
    db.session.expire_all()
    assert db.session.get(Session, first.id).ends_at == time(12)


def test_order_sessions_by_drag_and_drop(organiser, meeting):
    a = make_session(meeting, title="A", starts_at=time(9), ends_at=time(10))
    b = make_session(meeting, title="B", starts_at=time(10), ends_at=time(11))
    c = make_session(meeting, title="C", starts_at=time(11, 30), ends_at=time(12))

    organiser.post(
        "/manage/gm/agenda/days/2023-11-21/order",
        data={"csrf_token": token(organiser), "session": [str(c.id), str(a.id), str(b.id)]},
    )

    assert numbered(meeting) == [(1, "C", "09:00"), (2, "A", "09:30"), (3, "B", "11:00")]


def test_order_sessions_bad_day_is_404(organiser, meeting):
    response = organiser.post(
        "/manage/gm/agenda/days/someday/order", data={"csrf_token": token(organiser)}
    )

    assert response.status_code == 404


def test_warnings_show_room_overlap_double_booking_and_overrun(organiser, meeting):
    one = make_session(
        meeting, title="One", starts_at=time(9), ends_at=time(10), room="Hall", chair="Ana Ruiz"
    )
    two = make_session(meeting, title="Two", starts_at=time(9, 30), ends_at=time(11), room="hall")
    make_item(
        two, kind="discussion", title="Panel", presenters="Li Wei, ana ruiz", duration_minutes=100
    )
    assert one.id

    html = editor(organiser).text

    assert html.count("in the same room") == 2
    assert "Overlaps session 2 in the same room (Hall)." in html
    assert "Ana Ruiz is also in session 2 at the same time." in html
    assert "ana ruiz is also in session 1 at the same time." in html
    assert "Ends at 11:10, after its session ends (11:00)." in html


def test_other_meetings_sessions_are_404(organiser, meeting):
    other = make_meeting(acronym="other")
    session = make_session(other)
    item = make_item(session, kind="discussion")

    assert organiser.get(f"/manage/gm/agenda/sessions/{session.id}").status_code == 404
    assert organiser.get(f"/manage/gm/agenda/items/{item.id}").status_code == 404
    response = organiser.post(
        f"/manage/gm/agenda/items/{item.id}/delete", data={"csrf_token": token(organiser)}
    )
    assert response.status_code == 404
    assert db.session.get(AgendaItem, item.id) is not None


def test_editor_query_count_same_at_1x_and_10x(organiser, meeting, count_queries):
    network = meeting.networks[0]
    session = make_session(meeting)
    make_item(session, network=network, duration_minutes=10)
    with count_queries() as small:
        assert editor(organiser).status_code == 200
    for n in range(9):
        extra = make_session(
            meeting, starts_at=time(11 + n % 8), ends_at=time(12 + n % 8), day=date(2023, 11, 22)
        )
        for _ in range(5):
            make_item(extra, network=network, duration_minutes=10)
    with count_queries() as large:
        assert editor(organiser).status_code == 200

    assert len(large) == len(small)


# -- Moves answer htmx with only what changed -----------------------------------------

MOVE_HTMX = {**HTMX, "HX-Target": "editor-status"}


def demo_session(number):
    from wenevents.meetings.models import Meeting

    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    return db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=number))


def test_move_session_to_htmx_answers_only_what_changed_under_10_kb(organiser, demo):
    second, first = demo_session(2), demo_session(1)
    csrf = csrf_token(editor(organiser, demo_session(1).meeting).text)

    response = organiser.post(
        f"/manage/gmwen4/agenda/sessions/{second.id}/move",
        data={"csrf_token": csrf, "direction": "up"},
        headers=MOVE_HTMX,
    )

    html = response.text
    assert response.status_code == 200
    assert len(response.data) < 10240
    assert 'id="agenda"' not in html
    assert html.lstrip().startswith(
        "Session “Increased collaboration and communication, both within and between "
        "networks” moved earlier: it is now session 1, 09:00–10:30."
    )
    assert re.findall(r'<h3 id="session-heading-(\d+)">Session (\d) –', html) == [
        (str(second.id), "1"),
        (str(first.id), "2"),
    ]
    assert f'id="session-head-{second.id}" data-hx-swap-oob="true"' in html
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {
        "agenda-moved": {"row": f"session-{second.id}", "direction": "up"},
        "agenda-changed": True,
    }


def test_move_session_without_javascript_redirects_to_the_row_with_the_message(organiser, demo):
    second = demo_session(2)
    csrf = csrf_token(editor(organiser, second.meeting).text)

    response = organiser.post(
        f"/manage/gmwen4/agenda/sessions/{second.id}/move",
        data={"csrf_token": csrf, "direction": "up"},
    )

    assert response.status_code == 303
    assert response.location == f"/manage/gmwen4/agenda/#session-{second.id}"
    page = organiser.get("/manage/gmwen4/agenda/").text
    assert "moved earlier: it is now session 1, 09:00–10:30." in page
    assert 'id="agenda"' in page


def test_move_item_to_htmx_swaps_only_its_sessions_times(organiser, meeting):
    session = make_session(meeting)
    a = make_item(session, kind="discussion", title="A", duration_minutes=10)
    b = make_item(session, kind="discussion", title="B", duration_minutes=20)
    make_item(session, kind="discussion", title="C", duration_minutes=5)

    response = organiser.post(
        f"/manage/gm/agenda/items/{b.id}/move",
        data={"csrf_token": token(organiser), "direction": "up"},
        headers=MOVE_HTMX,
    )

    html = response.text
    assert html.lstrip().startswith(
        "“B” moved up: it is now item 1 of session 1. It runs 09:00–09:20."
    )
    assert re.findall(r'<span class="item-time" id="item-time-(\d+)"[^>]*>([^<]*)<', html) == [
        (str(b.id), "09:00–09:20"),
        (str(a.id), "09:20–09:30"),
    ]
    assert "session-head-" not in html


def test_move_that_cannot_happen_says_so_in_the_live_region(organiser, meeting):
    session = make_session(meeting)

    response = organiser.post(
        f"/manage/gm/agenda/sessions/{session.id}/move",
        data={"csrf_token": token(organiser), "direction": "up"},
        headers=MOVE_HTMX,
    )

    assert response.text.strip() == "This session cannot move further in its day."
    assert "HX-Trigger-After-Settle" not in response.headers


def test_status_panel_refreshes_alone_to_htmx(organiser, meeting):
    make_session(meeting, title="Opening")

    response = organiser.get("/manage/gm/agenda/", headers={**HTMX, "HX-Target": "agenda-status"})

    assert response.text.lstrip().startswith('<div id="agenda-status"')
    assert "Publish release 1" in response.text
    assert "Add a session" not in response.text


def test_add_item_to_htmx_answers_its_session_card_not_the_agenda(organiser, meeting):
    session = make_session(meeting, title="Opening")
    later = make_session(meeting, title="Later", starts_at=time(11), ends_at=time(12))

    response = add_item(organiser, session, kind="discussion", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="session-{session.id}"')
    assert response.headers["HX-Retarget"] == f"#session-{session.id}"
    assert f'id="session-{later.id}"' not in response.text
    assert 'id="agenda-status" data-hx-swap-oob="true"' in response.text
    assert "added to session 1." in response.text


def test_add_item_with_bad_input_to_htmx_answers_the_card_with_the_errors(organiser, meeting):
    session = make_session(meeting, title="Opening")

    response = add_item(organiser, session, title="", headers=HTMX)

    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<li id="session-{session.id}"')
    assert field_error(response.text, f"add{session.id}-title") is not None
    assert items_of(session) == []


def add_item_forms(html):
    """The sessions (ids) whose new-item form the page holds."""
    pattern = r'<form[^>]*action="/manage/gm/agenda/sessions/(\d+)/items"'
    return [int(i) for i in re.findall(pattern, html)]


def test_editor_holds_no_new_item_form_until_one_is_asked_for(organiser, meeting):
    first = make_session(meeting, title="Opening")
    second = make_session(meeting, title="Later", starts_at=time(11), ends_at=time(12))

    html = editor(organiser).text

    assert add_item_forms(html) == []
    for session in (first, second):
        url = f"/manage/gm/agenda/sessions/{session.id}/items"
        assert f'<a href="{url}#add-item-{session.id}" data-hx-get="{url}"' in html


def test_new_item_form_to_htmx_is_the_form_alone_in_place_of_its_link(organiser, meeting):
    session = make_session(meeting, title="Opening")
    url = f"/manage/gm/agenda/sessions/{session.id}/items"

    response = organiser.get(url, headers={**HTMX, "HX-Target": f"add-item-{session.id}"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div class="add-item" id="add-item-{session.id}">')
    assert add_item_forms(response.text) == [session.id]
    assert f'name="add{session.id}-title"' in response.text
    assert "<html" not in response.text


def test_new_item_form_without_htmx_is_the_editor_with_that_form_open(organiser, meeting):
    session = make_session(meeting, title="Opening")
    other = make_session(meeting, title="Later", starts_at=time(11), ends_at=time(12))

    response = organiser.get(f"/manage/gm/agenda/sessions/{session.id}/items")

    assert response.status_code == 200
    assert "<html" in response.text
    assert add_item_forms(response.text) == [session.id]
    assert f'id="add-item-{other.id}"' in response.text
    assert 'id="add-item-errors"' not in response.text


def test_new_item_form_to_htmx_aimed_elsewhere_is_the_whole_editor(organiser, meeting):
    session = make_session(meeting, title="Opening")

    response = organiser.get(
        f"/manage/gm/agenda/sessions/{session.id}/items", headers={**HTMX, "HX-Target": "agenda"}
    )

    assert "<html" in response.text
    assert add_item_forms(response.text) == [session.id]


def test_new_item_form_of_another_meeting_s_session_is_not_found(organiser, meeting):
    elsewhere = make_session(make_meeting(acronym="other"), title="Theirs")

    response = organiser.get(f"/manage/gm/agenda/sessions/{elsewhere.id}/items", headers=HTMX)

    assert response.status_code == 404


def test_new_item_form_for_a_delegate_is_refused(client, meeting, make_user, auth):
    session = make_session(meeting, title="Opening")
    make_user("d@example.org", role=DELEGATE)
    auth.login("d@example.org")

    response = client.get(f"/manage/gm/agenda/sessions/{session.id}/items")

    assert response.status_code == 403
    assert 'name="add' not in response.text


def test_drag_and_drop_order_to_htmx_answers_only_what_changed(organiser, meeting):
    session = make_session(meeting)
    a = make_item(session, kind="discussion", title="A", duration_minutes=10)
    b = make_item(session, kind="discussion", title="B", duration_minutes=20)

    response = organiser.post(
        f"/manage/gm/agenda/sessions/{session.id}/order",
        data={"csrf_token": token(organiser), "item": [str(b.id), str(a.id)]},
        headers=MOVE_HTMX,
    )

    assert response.text.lstrip().startswith("The new order of the items of session 1 is saved.")
    assert 'id="agenda"' not in response.text
    assert f'id="item-time-{a.id}" data-hx-swap-oob="true">09:20–09:30<' in response.text
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {"agenda-changed": True}


def test_refused_session_order_to_htmx_puts_the_whole_agenda_back(organiser, meeting):
    make_session(meeting, title="A", starts_at=time(9), ends_at=time(10))

    response = organiser.post(
        "/manage/gm/agenda/days/2023-11-21/order",
        data={"csrf_token": token(organiser), "session": ["1"]},
        headers=MOVE_HTMX,
    )

    assert response.text.lstrip().startswith('<div id="agenda"')
    assert response.headers["HX-Retarget"] == "#agenda"
