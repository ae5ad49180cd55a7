"""Registering for a meeting: the form, its checks (inline and on submit), the window,
confirming the address, and answers that never tell whether an address is known."""

import re
from datetime import date, timedelta
from urllib.parse import quote_from_bytes

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    csrf_token,
    field_error,
    outbox,
    without_csrf,
)
from tests.factories import make_network
from tests.registration.conftest import (
    body,
    change_settings,
    confirm,
    confirm_link_in,
    events_of,
    form_data,
    last_confirm_link,
    mails_to,
    register_page,
    registration_of,
    registrations,
)
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, ORGANISER, LoginSession, User
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT
from wenevents.registration.models import (
    QUESTION_KINDS,
    SUBMITTED,
    UNCONFIRMED,
    Question,
    Registration,
    RegistrationEvent,
)

EMAIL = "ana.silva@example.org"
REQUIRED = "This field is required."
WRONG_NETWORK = "Choose one of this meeting's networks, or none."
CONFIRM_SUBJECT = "Confirm your registration for "

# ISO 3166-1 alpha-2: the 249 officially assigned codes (no reserved or user-assigned ones).
ISO_3166_1 = set(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905
)


def count_all():
    """Registrations, their events, and users: what a refused form must leave unchanged."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Registration, RegistrationEvent, User)
    }


def options(page, select_id):
    """``[(value, label), …]`` of the <select> with this id."""
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select #{select_id}"
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))


def check(client, meeting, field, headers=None, **overrides):
    """The inline check of ``field``, as htmx sends it when the field is left."""
    token = csrf_token(client.get(register_page(meeting)).text)
    return client.post(
        f"/{meeting.acronym}/register/check/{field}",
        data={"csrf_token": token, **form_data(meeting, **overrides)},
        headers={"HX-Request": "true"} if headers is None else headers,
    )


# The form ---------------------------------------------------------------------------------


def test_form_lists_the_meetings_networks_and_none(client, meeting):
    outsider = make_network(acronym="OUTSIDE")

    page = client.get(register_page(meeting))

    assert page.status_code == 200
    networks = options(page.text, "network_id")
    assert networks[0] == ("", "None (observer)")
    assert [value for value, _label in networks[1:]] == [str(n.id) for n in meeting.networks]
    assert all(
        label.startswith(n.acronym + " – ")
        for (_v, label), n in zip(networks[1:], meeting.networks, strict=True)
    )
    assert str(outsider.id) not in dict(networks)
    # The meeting's dates are offered: a day of travel before, the last day to leave.
    assert 'id="arrival_date"' in page.text and 'value="2023-11-20"' in page.text
    assert 'value="2023-11-22"' in page.text


def test_form_lists_countries_by_name(client, meeting):
    countries = options(client.get(register_page(meeting)).text, "country_code")

    assert countries[0] == ("", "Choose a country")
    labels = [label for _value, label in countries[1:]]
    assert labels == sorted(labels)
    named = dict(countries)
    assert named["PA"] == "Panama"
    assert named["CH"] == "Switzerland"
    # Groupings are not countries.
    assert {"EU", "UN", "ZZ", "QO"}.isdisjoint(named)


def test_form_country_codes_are_exactly_iso_3166_1(client, meeting):
    countries = options(client.get(register_page(meeting)).text, "country_code")

    assert len(ISO_3166_1) == 249
    assert {value for value, _label in countries[1:]} == ISO_3166_1


def test_form_of_unpublished_meeting_or_without_settings_is_not_found(
    client, make_registration_meeting
):
    draft = make_registration_meeting()
    draft.status = DRAFT
    no_settings = make_registration_meeting()
    db.session.delete(no_settings.registration_settings)
    db.session.commit()

    assert client.get(register_page(draft)).status_code == 404
    assert client.get(register_page(no_settings)).status_code == 404


def test_form_of_signed_in_person_has_their_address(client, auth, make_user, meeting):
    make_user("someone@example.org", DELEGATE)
    auth.login("someone@example.org")

    page = client.get(register_page(meeting)).text

    assert re.search(r'id="email"[^>]*value="someone@example.org"', page)


# Inline checks ----------------------------------------------------------------------------


def test_inline_check_returns_the_field_with_its_message(client, meeting):
    response = check(client, meeting, "departure_date", departure_date="2024-01-01")

    assert response.status_code == 200
    text = response.text.strip()
    assert text.startswith('<div class="checked-field"') and "<html" not in text
    assert f'hx-post="/{meeting.acronym}/register/check/departure_date"' in text
    assert 'id="departure_date"' in text and 'value="2024-01-01"' in text
    assert 'aria-invalid="true"' in text
    assert field_error(text, "departure_date") == (
        "Leave between 21 November 2023 and 25 November 2023."
    )
    # Only that field: the others' messages wait until they are left or the form is sent.
    assert text.count('class="error"') == 1


def test_inline_check_of_valid_field_has_no_message(client, meeting):
    response = check(client, meeting, "given_name")

    assert response.status_code == 200
    assert 'id="given_name"' in response.text
    assert 'class="error"' not in response.text
    assert "aria-invalid" not in response.text


@pytest.mark.parametrize(
    "field, overrides, message",
    [
        ("given_name", {"given_name": ""}, REQUIRED),
        ("email", {"email": "not-an-address"}, "Invalid email address."),
        ("network_id", {"network_id": "999999"}, WRONG_NETWORK),
        (
            "arrival_date",
            {"arrival_date": "2023-11-01"},
            "Arrive between 18 November 2023 and 22 November 2023.",
        ),
        ("country_code", {"country_code": "QQ"}, "Choose a country from the list."),
    ],
    ids=["required", "email", "network", "arrival", "country"],
)
def test_inline_check_messages(client, meeting, field, overrides, message):
    response = check(client, meeting, field, **overrides)

    assert response.status_code == 200
    assert field_error(response.text, field) == message


def test_inline_check_stores_nothing_and_sends_nothing(app, client, meeting):
    before = count_all()

    check(client, meeting, "email")

    assert count_all() == before
    assert outbox(app) == []


def test_inline_check_without_htmx_goes_back_to_the_form(client, meeting):
    response = check(client, meeting, "given_name", headers={})

    assert response.status_code == 303
    assert response.headers["Location"] == register_page(meeting)


@pytest.mark.parametrize("field", ["csrf_token", "no_such_field", "password"])
def test_inline_check_of_unknown_field_is_not_found(client, meeting, field):
    assert check(client, meeting, field).status_code == 404


def test_inline_check_needs_the_csrf_token(client, meeting):
    response = client.post(
        f"/{meeting.acronym}/register/check/given_name",
        data=form_data(meeting),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400


# The registration window -------------------------------------------------------------------


def test_before_the_window_opens_says_when_and_stores_nothing(app, client, meeting):
    token = csrf_token(client.get(register_page(meeting)).text)  # a form opened earlier
    change_settings(meeting, opens_at=utcnow() + timedelta(days=10))
    before = count_all()

    page = client.get(register_page(meeting))
    response = client.post(register_page(meeting), data={"csrf_token": token, **form_data(meeting)})

    assert page.status_code == 200
    assert "Registration opens on" in page.text
    assert f'action="/{meeting.acronym}/register"' not in page.text
    assert response.status_code == 200
    assert "Registration opens on" in response.text
    assert "Check your email" not in response.text
    assert count_all() == before
    assert outbox(app) == []


def test_after_the_window_closes_says_so_and_stores_nothing(app, client, meeting, register):
    page = client.get(register_page(meeting))  # the form, opened while still open
    change_settings(meeting, closes_at=utcnow() - timedelta(minutes=1))
    before = count_all()

    response = client.post(
        register_page(meeting), data={"csrf_token": csrf_token(page.text), **form_data(meeting)}
    )

    assert response.status_code == 200
    assert "Registration is closed." in response.text
    assert count_all() == before
    assert outbox(app) == []


def test_within_the_window_registers(client, meeting, register):
    change_settings(
        meeting,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=1),
    )

    page = client.get(register_page(meeting)).text
    response = register(client)

    assert "Registration closes on" in page
    assert "Check your email" in response.text
    assert registration_of(meeting, EMAIL).status == UNCONFIRMED


# Field checks on submit --------------------------------------------------------------------


def test_network_of_another_meeting_is_refused_at_the_field(app, client, meeting, register):
    outsider = make_network()
    before = count_all()

    response = register(client, network_id=str(outsider.id))

    assert response.status_code == 200
    assert field_error(response.text, "network_id") == WRONG_NETWORK
    assert count_all() == before
    assert outbox(app) == []


@pytest.mark.parametrize("value", ["abc", "-1", "1 OR 1=1"])
def test_network_that_is_not_a_number_is_refused_at_the_field(client, meeting, register, value):
    response = register(client, network_id=value)

    assert response.status_code == 200
    assert field_error(response.text, "network_id") == WRONG_NETWORK
    assert registrations(meeting) == []


def test_no_network_registers_as_observer(client, meeting, register):
    register(client, network_id="", participation_role="observer")

    assert registration_of(meeting, EMAIL).network_id is None


DATE_CASES = [
    # The meeting: 21–22 November 2023, 3 travel days either side.
    (
        "arrival_date",
        "2023-11-17",
        "2023-11-22",
        "Arrive between 18 November 2023 and 22 November 2023.",
    ),
    (
        "arrival_date",
        "2023-11-23",
        "2023-11-23",
        "Arrive between 18 November 2023 and 22 November 2023.",
    ),
    (
        "departure_date",
        "2023-11-20",
        "2023-11-26",
        "Leave between 21 November 2023 and 25 November 2023.",
    ),
    (
        "departure_date",
        "2023-11-18",
        "2023-11-20",
        "Leave between 21 November 2023 and 25 November 2023.",
    ),
    ("departure_date", "2023-11-22", "2023-11-21", "Departure comes after arrival."),
    ("arrival_date", "21/11/2023", "2023-11-22", "Not a valid date value."),
]


@pytest.mark.parametrize("field, arrival, departure, message", DATE_CASES)
def test_travel_dates_outside_the_meeting_are_refused_at_the_field(
    app, client, meeting, register, field, arrival, departure, message
):
    before = count_all()

    response = register(client, arrival_date=arrival, departure_date=departure)

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert count_all() == before
    assert outbox(app) == []


def test_travel_dates_at_the_limits_are_accepted(client, meeting, register):
    response = register(client, arrival_date="2023-11-18", departure_date="2023-11-25")

    assert "Check your email" in response.text
    registration = registration_of(meeting, EMAIL)
    assert (registration.arrival_date, registration.departure_date) == (
        date(2023, 11, 18),
        date(2023, 11, 25),
    )


@pytest.mark.parametrize("settings_overrides", [{"travel_days": 0}])
def test_travel_days_zero_allows_the_meeting_days_only(client, meeting, register):
    early = register(client, arrival_date="2023-11-20")
    assert field_error(early.text, "arrival_date") == (
        "Arrive between 21 November 2023 and 22 November 2023."
    )
    late = register(client, departure_date="2023-11-23")
    assert field_error(late.text, "departure_date") == (
        "Leave between 21 November 2023 and 22 November 2023."
    )
    assert "Check your email" in register(client, arrival_date="2023-11-21").text


# Extra questions -----------------------------------------------------------------------


@pytest.fixture
def questions(meeting):
    """One required question of each kind, in the order of QUESTION_KINDS."""
    made = []
    # File questions have their own module (test_file_questions.py).
    for position, kind in enumerate(k for k in QUESTION_KINDS if k != "file"):
        made.append(
            Question(
                meeting_id=meeting.id,
                position=position,
                kind=kind,
                label=f"Question {kind}",
                required=True,
                choices=["Alpha", "Beta", "Gamma"] if kind.endswith("_choice") else [],
            )
        )
    db.session.add_all(made)
    db.session.commit()
    return {q.kind: q for q in made}


def valid_answers(questions):
    return {
        f"q{questions['short_text'].id}": "Ranger",
        f"q{questions['long_text'].id}": "Two lines\nof text",
        f"q{questions['single_choice'].id}": "Beta",
        f"q{questions['multiple_choice'].id}": ["Alpha", "Gamma"],
        f"q{questions['yes_no'].id}": "yes",
        f"q{questions['date'].id}": "2023-11-20",
    }


def test_required_questions_unanswered_get_a_message_each(
    app, client, meeting, register, questions
):
    before = count_all()

    response = register(client)

    assert response.status_code == 200
    for kind, question in questions.items():
        assert field_error(response.text, f"q{question.id}") == REQUIRED, kind
    assert count_all() == before
    assert outbox(app) == []


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("single_choice", "Delta", "Not a valid choice."),
        ("multiple_choice", ["Alpha", "Delta"], "'Delta' is not a valid choice for this field."),
        ("yes_no", "maybe", "Not a valid choice."),
        ("date", "tomorrow", "Not a valid date value."),
        ("short_text", "x" * 301, "Field cannot be longer than 300 characters."),
        ("long_text", "x" * 2001, "Field cannot be longer than 2000 characters."),
    ],
)
def test_invalid_answers_get_a_message_at_the_question(
    client, meeting, register, questions, kind, value, message
):
    answers = valid_answers(questions)
    answers[f"q{questions[kind].id}"] = value

    response = register(client, **answers)

    assert field_error(response.text, f"q{questions[kind].id}") == message
    assert registrations(meeting) == []


def test_answers_are_stored_by_question_id(client, meeting, register, questions):
    response = register(client, **valid_answers(questions))

    assert "Check your email" in response.text
    assert registration_of(meeting, EMAIL).answers == {
        str(questions["short_text"].id): "Ranger",
        str(questions["long_text"].id): "Two lines\nof text",
        str(questions["single_choice"].id): "Beta",
        str(questions["multiple_choice"].id): ["Alpha", "Gamma"],
        str(questions["yes_no"].id): "yes",
        str(questions["date"].id): "2023-11-20",
    }


def test_optional_questions_may_stay_unanswered(client, meeting, register, questions):
    for question in questions.values():
        question.required = False
    db.session.commit()

    response = register(client)

    assert "Check your email" in response.text
    answers = registration_of(meeting, EMAIL).answers
    assert set(answers) == {str(q.id) for q in questions.values()}


def test_inline_check_of_a_question(client, meeting, questions):
    question = questions["yes_no"]

    response = check(client, meeting, f"q{question.id}")

    assert field_error(response.text, f"q{question.id}") == REQUIRED


# Known and unknown addresses -----------------------------------------------------------


def _sent_page(register, app, email):
    response = register(app.test_client(), email=email)
    return response.status_code, without_csrf(response.text).replace(email, "EMAIL")


def test_known_and_unknown_address_get_the_same_page(app, meeting, register, make_user):
    make_user("has.account@example.org", DELEGATE)
    register(app.test_client(), email="registered@example.org")

    unknown = _sent_page(register, app, "nobody@example.org")
    account = _sent_page(register, app, "has.account@example.org")
    registered = _sent_page(register, app, "registered@example.org")

    assert unknown[0] == 200
    assert "Check your email" in unknown[1]
    assert unknown == account == registered


def test_known_and_unknown_address_after_confirmation_get_the_same_page(
    app, meeting, register, register_and_confirm
):
    register_and_confirm("confirmed@example.org")

    unknown = _sent_page(register, app, "nobody@example.org")
    confirmed = _sent_page(register, app, "confirmed@example.org")

    assert unknown == confirmed


def test_same_address_twice_is_one_registration_and_a_second_mail(app, client, meeting, register):
    register(client)
    first_link = last_confirm_link(app, EMAIL)

    again = register(app.test_client(), email="  Ana.SILVA@Example.ORG ", given_name="Other")

    assert again.status_code == 200
    assert "Check your email" in again.text
    [registration] = registrations(meeting)
    assert registration.given_name == "Ana"  # the second form changed nothing
    messages = mails_to(app, EMAIL)
    assert [m["Subject"] for m in messages] == [
        CONFIRM_SUBJECT + meeting.title,
        "Your registration for " + meeting.title,
    ]
    assert "It is registered already" in body(messages[1])
    # Its link confirms the one registration; the earlier link no longer does.
    second_link = confirm_link_in(messages[1])
    assert second_link != first_link
    stale = app.test_client()
    stale.get(first_link.removeprefix("http://localhost"))
    assert stale.get("/registrations/confirm").status_code == 400
    _page, response = confirm(app.test_client(), second_link)
    assert response.status_code == 303
    assert registration_of(meeting, EMAIL).status == SUBMITTED


def test_same_address_after_confirmation_mails_a_link_to_the_registration(
    app, meeting, register, register_and_confirm
):
    register_and_confirm(EMAIL)

    register(app.test_client())

    message = mails_to(app, EMAIL)[-1]
    assert message["Subject"] == "Your registration for " + meeting.title
    assert f"http://localhost/{meeting.acronym}/registration" in body(message)
    assert "/registrations/confirm/" not in body(message)
    assert len(registrations(meeting)) == 1
    assert registration_of(meeting, EMAIL).status == SUBMITTED


# Confirming the address ----------------------------------------------------------------


def test_registration_mails_a_confirmation_link(app, client, meeting, register):
    register(client)

    [message] = outbox(app)
    assert message["To"] == EMAIL
    assert message["Subject"] == CONFIRM_SUBJECT + meeting.title
    assert "Hello Ana," in body(message)
    registration = registration_of(meeting, EMAIL)
    assert registration.status == UNCONFIRMED
    assert registration.user_id is None
    token = confirm_link_in(message).rsplit("/", 1)[1]
    assert token not in (registration.confirm_token_hash or "")
    assert [(e.from_status, e.to_status) for e in events_of(registration)] == [("", UNCONFIRMED)]


def test_confirm_page_changes_nothing_then_choosing_a_password_confirms_and_signs_in(
    app, client, meeting, register
):
    register(client)
    link = last_confirm_link(app, EMAIL)
    browser = app.test_client()

    followed = browser.get(link.removeprefix("http://localhost"))
    before = count_all()
    sessions = db.session.query(LoginSession).count()
    page = browser.get("/registrations/confirm")
    browser.get("/registrations/confirm")

    assert followed.status_code == 303
    assert followed.headers["Location"] == "/registrations/confirm"
    assert page.status_code == 200
    assert "Registration of Ana Silva, ana.silva@example.org." in page.text
    assert 'autocomplete="new-password"' in page.text
    assert count_all() == before
    assert db.session.query(LoginSession).count() == sessions
    assert registration_of(meeting, EMAIL).status == UNCONFIRMED

    response = browser.post(
        "/registrations/confirm",
        data={"csrf_token": csrf_token(page.text), "password": PASSWORD, "confirm": PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{meeting.acronym}/registration"
    registration = registration_of(meeting, EMAIL)
    assert registration.status == SUBMITTED
    assert registration.confirmed_at is not None
    assert registration.confirm_token_hash is None
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user.role == DELEGATE
    assert user.name == "Ana Silva"
    assert passwords.verify(user.password_hash, PASSWORD)
    assert registration.user_id == user.id
    mine = browser.get(f"/{meeting.acronym}/registration")
    assert mine.status_code == 200
    assert "Submitted: awaiting a decision" in mine.text
    assert "Your address is confirmed and your password is set." in mine.text
    assert browser.get("/account").status_code == 200
    assert [m["Subject"] for m in mails_to(app, EMAIL)][-1] == (
        "Registration received: " + meeting.title
    )


@pytest.mark.parametrize(
    "password, repeated, message",
    [
        ("", "", REQUIRED),
        ("short", "short", "Use at least 12 characters."),
        ("ana.silva@example.org", "ana.silva@example.org", "too easy to guess"),
        (PASSWORD, OTHER_PASSWORD, None),
    ],
)
def test_confirm_with_a_refused_password_confirms_nothing(
    app, client, meeting, register, password, repeated, message
):
    register(client)
    browser = app.test_client()
    browser.get(last_confirm_link(app, EMAIL).removeprefix("http://localhost"))
    page = browser.get("/registrations/confirm")
    before = count_all()

    response = browser.post(
        "/registrations/confirm",
        data={"csrf_token": csrf_token(page.text), "password": password, "confirm": repeated},
    )

    assert response.status_code == 200
    if message:
        assert message in field_error(response.text, "password")
    else:
        assert field_error(response.text, "confirm") == "The two passwords differ."
    assert count_all() == before
    assert registration_of(meeting, EMAIL).status == UNCONFIRMED
    assert browser.get("/account").status_code == 302
    # The link still works: the person tries again with a better password.
    _page, again = confirm(browser, last_confirm_link(app, EMAIL))
    assert again.status_code == 303
    assert registration_of(meeting, EMAIL).status == SUBMITTED


def test_confirm_link_works_once(app, client, meeting, register):
    register(client)
    link = last_confirm_link(app, EMAIL)
    confirm(app.test_client(), link)

    again = app.test_client()
    again.get(link.removeprefix("http://localhost"))
    response = again.get("/registrations/confirm")

    assert response.status_code == 400


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200])
def test_unknown_confirm_token_is_refused(client, token):
    client.get(f"/registrations/confirm/{token}")

    assert client.get("/registrations/confirm").status_code == 400
    assert client.post("/registrations/confirm", data={}).status_code == 400


def test_confirm_without_the_csrf_token_changes_nothing(app, client, meeting, register):
    register(client)
    browser = app.test_client()
    browser.get(last_confirm_link(app, EMAIL).removeprefix("http://localhost"))

    response = browser.post("/registrations/confirm", data={})

    assert response.status_code == 400
    assert registration_of(meeting, EMAIL).status == UNCONFIRMED


def test_link_of_a_registration_withdrawn_unconfirmed_is_refused(
    app, client, auth, make_user, meeting, register
):
    make_user(EMAIL, DELEGATE)
    register(app.test_client())  # signed out: the registration waits for its link
    link = last_confirm_link(app, EMAIL)
    auth.login(EMAIL)
    mine = client.get(f"/{meeting.acronym}/registration")
    client.post(
        f"/{meeting.acronym}/registration/withdraw",
        data={"csrf_token": csrf_token(mine.text), "confirmed": "yes"},
    )
    assert registration_of(meeting, EMAIL).status == "withdrawn"

    browser = app.test_client()
    browser.get(link.removeprefix("http://localhost"))
    page = browser.get("/registrations/confirm")

    assert page.status_code == 400
    assert "This link no longer works" in page.text
    assert registration_of(meeting, EMAIL).status == "withdrawn"


def test_confirming_links_an_existing_account_instead_of_making_one(
    app, client, meeting, register, make_user
):
    user = make_user(EMAIL, DELEGATE)
    register(client)

    confirm(app.test_client(), last_confirm_link(app, EMAIL))

    assert db.session.query(User).count() == 1
    assert registration_of(meeting, EMAIL).user_id == user.id


def test_signed_in_person_with_their_own_address_is_confirmed_at_once(
    app, client, auth, make_user, meeting, register
):
    user = make_user(EMAIL, DELEGATE)
    auth.login(EMAIL)

    response = register(client, email=EMAIL.upper())

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{meeting.acronym}/registration"
    registration = registration_of(meeting, EMAIL)
    assert registration.status == SUBMITTED
    assert registration.user_id == user.id
    assert [m["Subject"] for m in mails_to(app, EMAIL)] == [
        "Registration received: " + meeting.title
    ]
    assert [(e.from_status, e.to_status, e.actor_id) for e in events_of(registration)] == [
        ("", UNCONFIRMED, user.id),
        (UNCONFIRMED, SUBMITTED, user.id),
    ]


def test_signed_in_person_registering_another_address_must_confirm_it(
    app, client, auth, make_user, meeting, register
):
    make_user("org@example.org", ORGANISER)
    auth.login("org@example.org")

    response = register(client, email="colleague@example.org")

    assert response.status_code == 200
    assert "Check your email" in response.text
    assert registration_of(meeting, "colleague@example.org").status == UNCONFIRMED
    assert [m["To"] for m in outbox(app)] == ["colleague@example.org"]


# Hostile input --------------------------------------------------------------------------

LONG = "a" * 10_000
STACKED = "Too many accents or marks are stacked on one letter: use at most 4."
NUL_REFUSED = "What was sent contains a character that is not allowed (such as a NUL byte)."


def _encode(value):
    return quote_from_bytes(value.encode()).encode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("given_name", LONG, "Field cannot be longer than 100 characters."),
        ("family_name", LONG, "Field cannot be longer than 100 characters."),
        ("organisation", LONG, "Field cannot be longer than 300 characters."),
        ("position", LONG, "Field cannot be longer than 200 characters."),
        ("email", LONG + "@example.org", "Field cannot be longer than 320 characters."),
        ("dietary", LONG, "Field cannot be longer than 500 characters."),
        ("accessibility", LONG, "Field cannot be longer than 500 characters."),
        ("given_name", "Ana" + "\u0301" * 6, STACKED),
        ("given_name", "\u200b\u202e", "This field is required."),
        ("email", "ana\u202e@example.org", "Invalid email address."),
        ("country_code", "PA\u200b", "Choose a country from the list."),
        ("network_id", "1\u200b", WRONG_NETWORK),
        ("arrival_date", "2023-11-20\u200b", "Not a valid date value."),
    ],
)
def test_hostile_field_gets_a_message_and_nothing_is_stored(
    app, client, meeting, register, field, value, message
):
    before = count_all()

    response = register(client, **{field: value})

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert count_all() == before
    assert outbox(app) == []


@pytest.mark.parametrize(
    "field, value",
    [("given_name", "Ana\x00"), ("organisation", "Customs\x00Service"), ("dietary", "\x00"),
     ("email", "ana\x00@example.org"), ("country_code", "PA\x00"), ("network_id", "1\x00"),
     ("arrival_date", "2023-11-20\x00")],
)  # fmt: skip
def test_nul_byte_in_any_field_is_refused_whole_and_nothing_is_stored(
    app, client, meeting, register, field, value
):
    before = count_all()

    response = register(client, **{field: value})

    assert response.status_code == 400
    assert NUL_REFUSED in response.text
    assert count_all() == before
    assert outbox(app) == []


@pytest.mark.parametrize("kind", ["short_text", "long_text"])
@pytest.mark.parametrize("value", [LONG, "Ranger" + "\u0336" * 6], ids=["long", "stacked"])
def test_hostile_answer_gets_a_message_and_nothing_is_stored(
    app, client, meeting, register, questions, kind, value
):
    answers = valid_answers(questions)
    answers[f"q{questions[kind].id}"] = value
    before = count_all()

    response = register(client, **answers)

    assert response.status_code == 200
    assert field_error(response.text, f"q{questions[kind].id}") is not None
    assert count_all() == before
    assert outbox(app) == []


def test_invalid_utf8_is_refused_whole(app, client, meeting):
    token = csrf_token(client.get(register_page(meeting)).text)
    fields = {k: _encode(v) for k, v in form_data(meeting).items()}
    fields["given_name"] = b"Ana\xff\xfe"
    data = b"&".join(
        name.encode() + b"=" + value
        for name, value in {"csrf_token": token.encode(), **fields}.items()
    )
    before = count_all()

    response = client.post(
        register_page(meeting), data=data, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert count_all() == before
    assert outbox(app) == []


def test_the_page_escapes_what_was_typed(client, meeting, register):
    response = register(client, given_name="<script>alert(1)</script>", email="bad")

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_registration_limit_per_address(app, meeting, register):
    app.config["REGISTRATION_LIMIT"] = "3 per hour"
    client = app.test_client()

    answers = [register(client, email=f"p{n}@example.org").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    assert len(registrations(meeting)) == 3


def test_several_choices_question_is_a_group_of_checkboxes(client, meeting, register, questions):
    q = questions["multiple_choice"]

    page = client.get(f"/{meeting.acronym}/register").text

    assert f'<select multiple id="q{q.id}"' not in page
    group = re.search(rf'<fieldset id="q{q.id}".*?</fieldset>', page, re.S)[0]
    assert "<legend>Question multiple_choice" in group
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="([^"]+)" value="([^"]+)"', group)
    assert boxes == [
        (f"q{q.id}-0", f"q{q.id}", "Alpha"),
        (f"q{q.id}-1", f"q{q.id}", "Beta"),
        (f"q{q.id}-2", f"q{q.id}", "Gamma"),
    ]
    assert f'<label for="q{q.id}-2">Gamma</label>' in group


def test_several_choices_unanswered_shows_the_message_in_the_group(
    client, meeting, register, questions
):
    answers = valid_answers(questions)
    q = questions["multiple_choice"]
    del answers[f"q{q.id}"]

    response = register(client, **answers)

    group = re.search(rf'<fieldset id="q{q.id}".*?</fieldset>', response.text, re.S)[0]
    assert f'aria-describedby="q{q.id}-error"' in group
    assert field_error(group, f"q{q.id}") == REQUIRED
    assert group.count('aria-invalid="true"') == 3
    assert registrations(meeting) == []


def test_several_choices_answers_come_back_ticked_on_the_edit_page(
    client, meeting, register, questions, register_and_confirm
):
    q = questions["multiple_choice"]
    delegate = register_and_confirm(EMAIL, **valid_answers(questions))

    page = delegate.get(f"/{meeting.acronym}/registration/edit").text

    group = re.search(rf'<fieldset id="q{q.id}".*?</fieldset>', page, re.S)[0]
    assert re.findall(r'value="(\w+)" checked', group) == ["Alpha", "Gamma"]
