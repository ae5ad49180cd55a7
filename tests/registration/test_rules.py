"""Who counts as a participant (registration/rules.py): every role and registration status,
for one meeting, another meeting and any meeting, with and without the setting that counts
endorsed registrations."""

import pytest

from tests.factories import make_meeting, make_network, make_registration
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT
from wenevents.registration import rules
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    ENDORSED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
)

EMAIL = "person@example.org"

# A delegate's registration for the meeting: (status, counts, counts with the setting).
DELEGATES = [
    (None, False, False),
    (UNCONFIRMED, False, False),
    (SUBMITTED, False, False),
    (ENDORSED, False, True),
    (APPROVED, True, True),
    (DECLINED, False, False),
    (REJECTED, False, False),
    (WAITLISTED, False, False),
    (WITHDRAWN, False, False),
]


@pytest.fixture
def world(app):
    """Meeting ``here`` with network A; meeting ``elsewhere`` with network B; network C in
    no meeting."""
    a, b, c = make_network(), make_network(), make_network()
    here = make_meeting(networks=[a])
    elsewhere = make_meeting(networks=[b])
    return {"here": here, "elsewhere": elsewhere, "a": a, "b": b, "c": c}


@pytest.fixture
def person(make_user):
    def make(role=DELEGATE, networks=(), disabled=False):
        return make_user(EMAIL, role=role, networks=list(networks), disabled=disabled)

    return make


def setting(app, value):
    app.config["PARTICIPANTS_INCLUDE_ENDORSED"] = value


@pytest.mark.parametrize("include_endorsed", [False, True])
@pytest.mark.parametrize(("status", "counts", "counts_with_setting"), DELEGATES)
def test_delegate_counts_by_their_registrations_status(
    app, world, person, status, counts, counts_with_setting, include_endorsed
):
    setting(app, include_endorsed)
    user = person()
    if status:
        make_registration(world["here"], email=EMAIL, status=status)
    expected = counts_with_setting if include_endorsed else counts

    assert rules.is_participant(user, world["here"]) is expected
    assert rules.is_participant(user) is expected
    # A registration vouches for its own meeting only.
    assert rules.is_participant(user, world["elsewhere"]) is False


# (role, networks, this meeting, the other meeting, any meeting)
ROLES = [
    (ORGANISER, (), True, True, True),
    (FOCAL_POINT, ("a",), True, False, True),
    (FOCAL_POINT, ("b",), False, True, True),
    (FOCAL_POINT, ("a", "b"), True, True, True),
    (FOCAL_POINT, ("c",), False, False, True),
    (FOCAL_POINT, (), False, False, True),
    (DELEGATE, (), False, False, False),
]


@pytest.mark.parametrize("include_endorsed", [False, True])
@pytest.mark.parametrize(("role", "networks", "here", "elsewhere", "anywhere"), ROLES)
def test_roles_count_without_a_registration(
    app, world, person, role, networks, here, elsewhere, anywhere, include_endorsed
):
    setting(app, include_endorsed)
    user = person(role, [world[n] for n in networks])

    assert rules.is_participant(user, world["here"]) is here
    assert rules.is_participant(user, world["elsewhere"]) is elsewhere
    assert rules.is_participant(user) is anywhere


@pytest.mark.parametrize(("role", "networks"), [(ORGANISER, ()), (FOCAL_POINT, ("a",))])
def test_disabled_account_never_counts(app, world, person, role, networks):
    user = person(role, [world[n] for n in networks], disabled=True)
    make_registration(world["here"], email=EMAIL, status=APPROVED)

    assert rules.is_participant(user, world["here"]) is False
    assert rules.is_participant(user) is False


def test_disabled_delegate_with_approved_registration_does_not_count(app, world, person):
    user = person(disabled=True)
    make_registration(world["here"], email=EMAIL, status=APPROVED)

    assert rules.is_participant(user, world["here"]) is False
    assert rules.is_participant(user) is False


def test_focal_point_counts_for_another_meeting_by_an_approved_registration(app, world, person):
    user = person(FOCAL_POINT, [world["c"]])
    make_registration(world["elsewhere"], email=EMAIL, status=APPROVED)

    assert rules.is_participant(user, world["elsewhere"]) is True
    assert rules.is_participant(user, world["here"]) is False


def test_nobody_signed_in_never_counts(app, world):
    from flask_login import AnonymousUserMixin

    assert rules.is_participant(None) is False
    assert rules.is_participant(None, world["here"]) is False
    assert rules.is_participant(AnonymousUserMixin(), world["here"]) is False


def test_someone_elses_approved_registration_does_not_count(app, world, person):
    user = person()
    make_registration(world["here"], email="other@example.org", status=APPROVED, user_id=user.id)

    assert rules.is_participant(user, world["here"]) is False
    assert rules.is_participant(user) is False


@pytest.mark.parametrize(
    ("value", "statuses"),
    [
        (False, (APPROVED,)),
        (True, (ENDORSED, APPROVED)),
        # Only a real True widens who counts: a string in a config file does not.
        ("true", (APPROVED,)),
        ("False", (APPROVED,)),
        (1, (APPROVED,)),
        (None, (APPROVED,)),
    ],
)
def test_setting_widens_only_when_true(app, value, statuses):
    setting(app, value)

    assert rules.vouched_statuses() == statuses


def test_setting_is_off_by_default(app):
    assert app.config["PARTICIPANTS_INCLUDE_ENDORSED"] is False


@pytest.mark.parametrize(("role", "networks", "status", "queries"), [
    (ORGANISER, (), None, 0),
    (FOCAL_POINT, ("a",), None, 0),
    (FOCAL_POINT, ("b",), APPROVED, 1),
    (DELEGATE, (), APPROVED, 1),
    (DELEGATE, (), SUBMITTED, 1),
])  # fmt: skip
def test_rule_reads_the_database_at_most_once(
    app, world, person, count_queries, role, networks, status, queries
):
    user = person(role, [world[n] for n in networks])
    meeting = world["here"]
    if status:
        make_registration(meeting, email=EMAIL, status=status)
    for _ in range(5):
        make_registration(meeting, status=APPROVED)
    # What a request has loaded already: the signed-in account and the page's meeting.
    _loaded = (user.role, user.is_disabled, list(user.networks), list(meeting.networks))

    with count_queries() as statements:
        rules.is_participant(user, meeting)
    with count_queries() as anywhere:
        rules.is_participant(user)

    assert len(statements) == queries
    assert len(anywhere) == (1 if role == DELEGATE else 0)


def test_own_registrations_lists_published_meetings_newest_first(app, world, person):
    from datetime import date

    user = person()
    older = make_meeting(start_date=date(2019, 8, 20), end_date=date(2019, 8, 20))
    draft = make_meeting(status=DRAFT)
    first = make_registration(older, email=EMAIL, status=WITHDRAWN)
    second = make_registration(world["here"], email=EMAIL, status=SUBMITTED)
    make_registration(draft, email=EMAIL, status=APPROVED)
    make_registration(world["elsewhere"], email="other@example.org", status=APPROVED)

    assert rules.own_registrations(user) == [second, first]
    assert rules.own_registrations(user, world["here"]) == [second]
    assert rules.own_registrations(None) == []


@pytest.mark.parametrize(
    "path", ["/directory", "/networks/naweg", "/gmwen4/participants", "/gmwen4/materials"]
)
@pytest.mark.parametrize("status", [APPROVED, SUBMITTED])
def test_each_page_asks_the_rule_once_per_request(
    app, client, auth, demo, person, monkeypatch, path, status
):
    from sqlalchemy import select

    from tests.conftest import PASSWORD
    from wenevents.meetings.models import Meeting

    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    meeting.registration_settings.participants_list = "participants"
    make_registration(meeting, email=EMAIL, status=status)
    person()
    auth.login(EMAIL, PASSWORD)
    asked = []
    real = rules.is_participant
    monkeypatch.setattr(rules, "is_participant", lambda *a: asked.append(a) or real(*a))

    response = client.get(path)

    opens = status == APPROVED or path == "/networks/naweg" or path.endswith("materials")
    assert response.status_code == (200 if opens else 403)
    assert len(asked) == 1
