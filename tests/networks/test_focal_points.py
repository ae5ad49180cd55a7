"""Focal points: who sees which field (never the public an email or phone number), the
directory for participants, a network's page, and the organisers' list and forms."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import HTMX, audit_entries, csrf_token, field_error
from tests.factories import make_focal_point, make_meeting, make_network, make_registration
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.demo import contacts as demo_contacts
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks import contacts
from wenevents.networks.models import ORGANISERS, PARTICIPANTS, PUBLIC, FocalPoint
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    ENDORSED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
    Registration,
)

OPEN = {
    "name_visibility": PUBLIC, "title_visibility": PUBLIC, "agency_visibility": PUBLIC,
    "country_code_visibility": PUBLIC, "email_visibility": PARTICIPANTS,
    "phone_visibility": PARTICIPANTS,
}  # fmt: skip


@pytest.fixture
def naweg(app):
    return make_network(slug="naweg", acronym="NAWEG", region="North America")


@pytest.fixture
def people(naweg):
    """An open focal point, a discreet one (participants; agency and phone organisers
    only) and a hidden one (organisers only)."""
    open_ = make_focal_point(
        name="Sarah Open (fictional)", title="Special agent", agency="Fish and Wildlife",
        country_code="US", email="sarah@example.org", phone="+1 555 0100", networks=[naweg],
        **OPEN,
    )  # fmt: skip
    discreet = make_focal_point(
        name="Luc Discreet (fictional)", title="Officer", agency="Secret Agency",
        country_code="CA", email="luc@example.org", phone="+1 555 0101", networks=[naweg],
        agency_visibility=ORGANISERS, phone_visibility=ORGANISERS,
    )  # fmt: skip
    hidden = make_focal_point(
        name="Hana Hidden (fictional)", email="hana@example.org", phone="+1 555 0102",
        networks=[naweg], name_visibility=ORGANISERS,
    )  # fmt: skip
    return open_, discreet, hidden


def sign_in(client, make_user, auth, role, status=APPROVED):
    """Sign in as ``role``; a delegate with a registration in ``status`` (None: none)."""
    make_user(f"{role}@example.org", role=role)
    if role == DELEGATE and status:
        make_registration(make_meeting(), email=f"{role}@example.org", status=status)
    auth.login(f"{role}@example.org")
    return client


def names(html):
    return [name.strip() for name in re.findall(r'class="contact-name">([^<]+)', html)]


# -- The rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (PUBLIC, ("Sarah Open (fictional)", "Special agent", "Fish and Wildlife", "US", "", "")),
        (PARTICIPANTS, ("Sarah Open (fictional)", "Special agent", "Fish and Wildlife", "US",
                        "sarah@example.org", "+1 555 0100")),
        (ORGANISERS, ("Sarah Open (fictional)", "Special agent", "Fish and Wildlife", "US",
                      "sarah@example.org", "+1 555 0100")),
    ],
)  # fmt: skip
def test_card_shows_each_audience_what_it_may_see(people, audience, expected):
    card = contacts.card(people[0], audience)

    assert (card.name, card.title, card.agency, card.country_code, card.email, card.phone) == (
        expected
    )


def test_card_never_gives_the_public_email_or_phone_whatever_is_set():
    # Not storable (the database refuses it), but the rule does not rely on that.
    person = FocalPoint(id=1, name="Sarah", email="sarah@example.org", phone="+1 555 0100",
                        networks=[], **{**OPEN, "email_visibility": PUBLIC,
                                        "phone_visibility": PUBLIC})  # fmt: skip

    card = contacts.card(person, PUBLIC)

    assert (card.name, card.email, card.phone) == ("Sarah", "", "")


def test_card_of_a_hidden_name_is_none_and_fields_follow_the_name(people):
    _open, discreet, hidden = people

    assert contacts.card(hidden, PARTICIPANTS) is None
    assert contacts.card(discreet, PUBLIC) is None
    discreet.title_visibility = PUBLIC
    # A public title of a focal point whose name is not public shows nowhere public.
    assert contacts.card(discreet, PUBLIC) is None
    card = contacts.card(discreet, ORGANISERS)
    assert card.organisers_only == {"agency", "phone"}
    db.session.rollback()


@pytest.mark.parametrize("field", ["email_visibility", "phone_visibility"])
def test_database_refuses_public_email_or_phone(people, field):
    person = people[0]
    setattr(person, field, PUBLIC)

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# -- The directory ---------------------------------------------------------------------------


def test_directory_sends_anonymous_visitors_to_sign_in(client, people):
    page = client.get("/directory", query_string={"q": "sarah"})
    fragment = client.get("/directory", headers={**HTMX, "HX-Target": "directory-results"})

    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=/directory?q%3Dsarah"
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/login?next=")
    assert "sarah@example.org" not in page.text + fragment.text


UNVOUCHED = [None, UNCONFIRMED, SUBMITTED, ENDORSED, DECLINED, REJECTED, WAITLISTED, WITHDRAWN]
CLOSED = (
    "The directory opens to participants: organisers, the networks’ focal points, and "
    "delegates once their registration for a meeting is approved."
)


def secrets_in(html):
    """What of the people fixture's contact details a page shows."""
    found = ("sarah@example.org", "luc@example.org", "hana@example.org", "555 01", "Sarah Open")
    return [s for s in found if s in html]


@pytest.mark.parametrize("status", UNVOUCHED)
def test_directory_tells_a_delegate_nobody_vouched_for_when_it_opens(
    client, make_user, auth, people, status
):
    sign_in(client, make_user, auth, DELEGATE, status=status)

    response = client.get("/directory", query_string={"q": "sarah"})

    assert response.status_code == 403
    html = response.text
    assert CLOSED in html
    assert secrets_in(html) == []
    assert "<h1>Directory of focal points</h1>" in html
    if status is None:
        assert "You have not registered for a meeting" in html
    else:
        [meeting] = db.session.scalars(select(Meeting)).all()
        assert f"Your registration for {meeting.title}:" in html
        assert f'<a href="/{meeting.acronym}/registration">See your registration' in html


def test_directory_htmx_search_of_an_unvouched_delegate_gets_the_note_in_place(
    client, make_user, auth, people
):
    sign_in(client, make_user, auth, DELEGATE, status=SUBMITTED)

    response = client.get("/directory?q=sarah", headers={**HTMX, "HX-Target": "directory-results"})

    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash"
    assert response.text.lstrip().startswith('<div id="not-participant" class="notice"')
    assert CLOSED in response.text
    assert secrets_in(response.text) == []


def test_directory_refused_to_an_unvouched_delegate_is_audited(client, make_user, auth, people):
    sign_in(client, make_user, auth, DELEGATE, status=SUBMITTED)

    client.get("/directory")

    [entry] = audit_entries("access.denied")
    assert (entry.summary, entry.actor_email) == ("directory", "delegate@example.org")


def test_directory_opens_on_approval_and_closes_on_withdrawal(client, make_user, auth, people):
    sign_in(client, make_user, auth, DELEGATE, status=SUBMITTED)
    registration = db.session.scalars(select(Registration)).one()
    closed_before = client.get("/directory").status_code

    registration.status = APPROVED
    db.session.commit()
    opened = client.get("/directory")
    registration.status = WITHDRAWN
    db.session.commit()
    closed_after = client.get("/directory").status_code

    assert (closed_before, opened.status_code, closed_after) == (403, 200, 403)
    assert "sarah@example.org" in opened.text


@pytest.mark.parametrize("app_config", [{"PARTICIPANTS_INCLUDE_ENDORSED": True}])
@pytest.mark.parametrize(("status", "code"), [(ENDORSED, 200), (SUBMITTED, 403)])
def test_directory_opens_to_endorsed_delegates_when_the_setting_says_so(
    client, make_user, auth, people, status, code
):
    sign_in(client, make_user, auth, DELEGATE, status=status)

    response = client.get("/directory")

    assert response.status_code == code
    assert ("sarah@example.org" in response.text) is (code == 200)
    if code == 403:
        assert "once their network has endorsed their registration for a meeting" in response.text


def test_directory_opens_to_a_focal_point_without_a_registration(client, make_user, auth, people):
    sign_in(client, make_user, auth, FOCAL_POINT)

    response = client.get("/directory")

    assert response.status_code == 200
    assert names(response.text) == ["Luc Discreet (fictional)", "Sarah Open (fictional)"]


@pytest.mark.parametrize("role", [DELEGATE, FOCAL_POINT])
def test_directory_shows_participants_what_each_focal_point_allows(
    client, make_user, auth, people, role
):
    sign_in(client, make_user, auth, role)

    html = client.get("/directory").text

    assert names(html) == ["Luc Discreet (fictional)", "Sarah Open (fictional)"]
    assert '<a href="mailto:luc@example.org">luc@example.org</a>' in html
    assert '<a href="tel:+15550100">+1 555 0100</a>' in html
    assert "Secret Agency" not in html
    assert "+1 555 0101" not in html
    assert "Hana" not in html and "hana@example.org" not in html
    assert "organisers only" not in html


def test_directory_shows_organisers_everything_marked(client, make_user, auth, people):
    sign_in(client, make_user, auth, "organiser")

    html = client.get("/directory").text

    assert names(html) == [
        "Hana Hidden (fictional)", "Luc Discreet (fictional)", "Sarah Open (fictional)"
    ]  # fmt: skip
    assert 'Hana Hidden (fictional) <span class="muted">(organisers only)</span>' in html
    assert 'Secret Agency <span class="muted">(organisers only)</span>' in html
    assert '+1 555 0101</a> <span class="muted">(organisers only)</span>' in html


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("sarah", ["Sarah Open (fictional)"]),
        ("LUC@EXAMPLE", ["Luc Discreet (fictional)"]),
        ("officer", ["Luc Discreet (fictional)"]),
        # Hidden from participants, so a search must not find through them.
        ("secret agency", []),
        ("hana", []),
        ("%", []),
        ("_", []),
    ],
)
def test_directory_search_finds_only_through_visible_fields(
    client, make_user, auth, people, q, found
):
    sign_in(client, make_user, auth, DELEGATE)

    html = client.get("/directory", query_string={"q": q}).text

    assert names(html) == found


def test_directory_filters_by_network_region_and_country(client, make_user, auth, people):
    latf = make_network(slug="latf", acronym="LATF", region="Africa")
    make_focal_point(name="Grace Latf (fictional)", country_code="KE", networks=[latf])
    sign_in(client, make_user, auth, DELEGATE)

    by_network = names(client.get("/directory", query_string={"network": latf.id}).text)
    by_region = names(client.get("/directory", query_string={"region": "North America"}).text)
    by_country = names(client.get("/directory", query_string={"country": "CA"}).text)
    stale = names(client.get("/directory", query_string={"network": "999", "country": "ZZ"}).text)

    assert by_network == ["Grace Latf (fictional)"]
    assert by_region == ["Luc Discreet (fictional)", "Sarah Open (fictional)"]
    assert by_country == ["Luc Discreet (fictional)"]
    assert stale == ["Grace Latf (fictional)", "Luc Discreet (fictional)", "Sarah Open (fictional)"]


def test_directory_country_filter_offers_only_countries_one_may_see(client, make_user, auth, naweg):
    make_focal_point(name="A", country_code="NO", country_code_visibility=ORGANISERS)
    make_focal_point(name="B", country_code="PE")
    sign_in(client, make_user, auth, DELEGATE)

    html = client.get("/directory").text
    by_hidden_country = names(client.get("/directory", query_string={"country": "NO"}).text)

    assert '<option value="PE">Peru</option>' in html
    assert "Norway" not in html
    assert by_hidden_country == ["A", "B"]


def test_directory_htmx_search_returns_the_results_only(client, make_user, auth, people):
    sign_in(client, make_user, auth, DELEGATE)

    response = client.get("/directory?q=sarah", headers={**HTMX, "HX-Target": "directory-results"})

    assert response.text.lstrip().startswith('<div id="directory-results"')
    assert names(response.text) == ["Sarah Open (fictional)"]
    assert response.headers["Cache-Control"] == "no-store, private"


def test_directory_pages_by_fifty(client, make_user, auth, naweg):
    for n in range(55):
        make_focal_point(name=f"Person {n:02d}", networks=[naweg])
    sign_in(client, make_user, auth, DELEGATE)

    first = client.get("/directory").text
    second = client.get("/directory", query_string={"page": 2, "network": naweg.id}).text

    assert len(names(first)) == 50
    assert names(second) == [f"Person {n}" for n in range(50, 55)]
    assert "55 focal points" in second
    assert f'href="/directory?page=1&amp;network={naweg.id}"' in second


def test_directory_query_count_does_not_grow_with_focal_points(
    client, make_user, auth, naweg, count_queries
):
    sign_in(client, make_user, auth, DELEGATE)

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/directory").status_code == 200
        return len(statements)

    networks = [naweg, make_network(region="Asia"), make_network(region="Europe")]
    for n in range(5):
        make_focal_point(name=f"P{n}", country_code="PA", networks=networks[: n % 3 + 1])
    at_1x = queries()
    for n in range(45):
        make_focal_point(name=f"Q{n}", country_code="PE", networks=networks[: n % 3 + 1])
    at_10x = queries()

    assert at_10x == at_1x


# -- A network's page ------------------------------------------------------------------------


def test_network_page_shows_the_public_only_public_fields(client, people):
    html = client.get("/networks/naweg").text

    assert names(html) == ["Sarah Open (fictional)"]
    assert "<dd>Special agent</dd>" in html and "<dd>United States</dd>" in html
    for secret in ("sarah@example.org", "+1 555 0100", "Luc", "Hana", "luc@example.org"):
        assert secret not in html
    assert '<a href="/login?next=/directory?network%3D1">Sign in</a>' in html


def test_network_page_shows_signed_in_participants_more(client, make_user, auth, people):
    sign_in(client, make_user, auth, DELEGATE)

    html = client.get("/networks/naweg").text

    assert names(html) == ["Luc Discreet (fictional)", "Sarah Open (fictional)"]
    assert "sarah@example.org" in html and "luc@example.org" in html
    assert "+1 555 0101" not in html
    assert '<a href="/directory?network=1">Search the directory of focal points</a>' in html


@pytest.mark.parametrize("status", UNVOUCHED)
def test_network_page_shows_an_unvouched_delegate_only_public_fields(
    client, make_user, auth, people, status
):
    sign_in(client, make_user, auth, DELEGATE, status=status)

    html = client.get("/networks/naweg").text

    assert names(html) == ["Sarah Open (fictional)"]
    for secret in ("sarah@example.org", "+1 555 0100", "Luc", "Hana", "luc@example.org"):
        assert secret not in html
    assert "Search the directory of focal points" not in html
    assert (
        "Participants find the focal points’ contact details in the directory: organisers, the "
        "networks’ focal points, and delegates once their registration for a meeting is approved."
    ) in html
    assert '<a href="/directory?network=1">Where your registrations stand</a>' in html


@pytest.mark.parametrize("who", [None, DELEGATE, FOCAL_POINT])
def test_network_page_query_count_does_not_grow_with_focal_points(
    client, make_user, auth, naweg, count_queries, who
):
    if who:
        sign_in(client, make_user, auth, who)
        client.get("/networks/naweg")  # a sign-in's first request writes its bookkeeping

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/networks/naweg").status_code == 200
        return len(statements)

    make_focal_point(networks=[naweg], **OPEN)
    at_1x = queries()
    for _ in range(9):
        make_focal_point(networks=[naweg, make_network()], **OPEN)
    at_10x = queries()

    assert at_10x == at_1x


# -- Organisers' list and forms ----------------------------------------------------------


@pytest.fixture
def organiser(client, make_user, auth):
    return sign_in(client, make_user, auth, "organiser")


def person_data(prefix="", **overrides):
    values = {
        "name": "Ana Nueva (fictional)",
        "title": "Inspector",
        "agency": "Customs (fictional)",
        "email": "Ana.Nueva@Example.org",
        "phone": "+507 555 0123 ext. 4",
        "country_code": "PA",
        "name_visibility": PUBLIC,
        "title_visibility": PUBLIC,
        "agency_visibility": PARTICIPANTS,
        "country_code_visibility": PUBLIC,
        "email_visibility": PARTICIPANTS,
        "phone_visibility": ORGANISERS,
        **overrides,
    }
    return {f"{prefix}{k}": v for k, v in values.items()}


def add(client, **overrides):
    token = csrf_token(client.get("/manage/focal-points/new").text)
    return client.post(
        "/manage/focal-points/new", data={"csrf_token": token, **person_data(**overrides)}
    )


def stored():
    db.session.expire_all()
    return db.session.scalars(select(FocalPoint).order_by(FocalPoint.id)).all()


def test_focal_points_manage_refuses_participants(client, make_user, auth):
    sign_in(client, make_user, auth, DELEGATE)

    assert client.get("/manage/focal-points/").status_code == 403
    assert client.get("/manage/focal-points/export.csv").status_code == 403


def test_add_focal_point_stores_the_address_in_lower_case(organiser, naweg):
    response = add(organiser, networks=[str(naweg.id)])

    assert response.status_code == 303
    person = stored()[0]
    assert (person.email, person.phone, person.country_code) == (
        "ana.nueva@example.org", "+507 555 0123 ext. 4", "PA"
    )  # fmt: skip
    assert [n.acronym for n in person.networks] == ["NAWEG"]
    assert (person.name_visibility, person.phone_visibility) == (PUBLIC, ORGANISERS)
    assert [e.summary for e in audit_entries("focal_point.create")] == ["Ana Nueva (fictional)"]


def test_new_focal_point_form_keeps_phone_numbers_for_organisers_by_default(organiser):
    html = organiser.get("/manage/focal-points/new").text

    phone = re.search(r'<select id="phone_visibility".*?</select>', html, re.S)[0]
    assert '<option selected value="organisers">Organisers only</option>' in phone
    assert 'value="public"' not in phone


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "sarah@EXAMPLE.org"}, "email", "Another focal point has this email address."),
        ({"email": "not-an-address"}, "email", "Invalid email address."),
        ({"phone": "call me"}, "phone",
         "Give digits, spaces and + ( ) - . / only, such as +1 555 0100 ext. 12."),
        ({"name": ""}, "name", "This field is required."),
        ({"country_code": "XX"}, "country_code", "Choose a country from the list."),
        ({"email_visibility": PUBLIC}, "email_visibility", "Not a valid choice."),
        ({"phone_visibility": PUBLIC}, "phone_visibility", "Not a valid choice."),
        ({"name_visibility": "everyone"}, "name_visibility", "Not a valid choice."),
        ({"agency": "x" * 301}, "agency", "Field cannot be longer than 300 characters."),
    ],
)  # fmt: skip
def test_add_focal_point_refuses_bad_input_at_the_field(
    organiser, people, overrides, field, message
):
    before = len(stored())

    response = add(organiser, **overrides)

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert len(stored()) == before


def test_edit_focal_point_in_place_returns_its_card(organiser, people):
    person = people[1]
    token = csrf_token(organiser.get("/manage/focal-points/new").text)
    networks = [str(n.id) for n in person.networks]
    data = {
        "csrf_token": token,
        **person_data(f"f{person.id}-", email="luc@example.org", networks=networks),
    }

    form = organiser.get(f"/manage/focal-points/{person.id}", headers=HTMX)
    response = organiser.post(f"/manage/focal-points/{person.id}", data=data, headers=HTMX)

    assert form.text.lstrip().startswith(
        f'<li id="focal-point-{person.id}" class="manage-card editing">'
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<li id="focal-point-{person.id}" class="manage-card contact">'
    )
    assert "Saved." in response.text
    assert db.session.get(FocalPoint, person.id).name == "Ana Nueva (fictional)"
    assert audit_entries("focal_point.update")[0].details["fields"] == [
        "agency", "agency_visibility", "country_code", "country_code_visibility", "name",
        "name_visibility", "phone", "title", "title_visibility",
    ]  # fmt: skip


def test_edit_focal_point_to_a_taken_address_changes_nothing(organiser, people):
    person = people[1]
    token = csrf_token(organiser.get("/manage/focal-points/new").text)
    data = {"csrf_token": token, **person_data(f"f{person.id}-", email="sarah@example.org")}

    response = organiser.post(f"/manage/focal-points/{person.id}", data=data, headers=HTMX)

    assert response.status_code == 422
    assert field_error(response.text, f"f{person.id}-email") == (
        "Another focal point has this email address."
    )
    assert db.session.get(FocalPoint, person.id).name == "Luc Discreet (fictional)"


def test_delete_focal_point(organiser, people):
    person = people[2]
    token = csrf_token(organiser.get("/manage/focal-points/new").text)

    question = organiser.get(f"/manage/focal-points/{person.id}/delete", headers=HTMX)
    response = organiser.post(
        f"/manage/focal-points/{person.id}/delete", data={"csrf_token": token}, headers=HTMX
    )

    assert "This cannot be undone." in question.text
    assert response.status_code == 200
    assert "Hana Hidden (fictional) deleted." in response.text
    assert [p.name for p in stored()] == ["Sarah Open (fictional)", "Luc Discreet (fictional)"]
    assert [e.summary for e in audit_entries("focal_point.delete")] == ["Hana Hidden (fictional)"]


def test_focal_points_list_shows_organisers_everything(organiser, people):
    html = organiser.get("/manage/focal-points/", query_string={"q": "example.org"}).text

    assert names(html) == [
        "Hana Hidden (fictional)", "Luc Discreet (fictional)", "Sarah Open (fictional)"
    ]  # fmt: skip
    assert '<a href="/manage/focal-points/export.csv?q=example.org">' in html


# -- Demo data ----------------------------------------------------------------------------------


def test_demo_has_fictional_focal_points_for_every_network(client, demo):
    people = db.session.scalars(select(FocalPoint)).all()

    from wenevents.networks.models import Network

    for network in db.session.scalars(select(Network)):
        assert network.focal_points, network.acronym
    assert all(p.name.endswith("(fictional)") for p in people)
    assert all(p.email.endswith("@example.org") for p in people)
    assert all(re.fullmatch(r"\+1 555 01\d\d", p.phone) for p in people)
    assert len(people) == len(demo_contacts.contacts()) == 20


def test_demo_load_again_adds_no_focal_point_twice(app):
    from wenevents import demo

    demo.load()
    count = db.session.scalar(select(db.func.count(FocalPoint.id)))
    demo.load()

    assert db.session.scalar(select(db.func.count(FocalPoint.id))) == count == 20


def test_focal_points_list_query_count_same_with_ten_times_the_people(
    organiser, naweg, count_queries
):
    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert organiser.get("/manage/focal-points/").status_code == 200
        return len(statements)

    networks = [naweg, make_network(region="Asia")]
    for n in range(4):
        make_focal_point(country_code="PA", networks=networks[: n % 2 + 1])
    at_1x = queries()
    for n in range(36):
        make_focal_point(country_code="PE", networks=networks[: n % 2 + 1])
    at_10x = queries()

    assert at_10x == at_1x
