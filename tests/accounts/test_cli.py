"""``wenevents create-user``: the only way to the first account; there is no default one."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, fresh_database
from tests.factories import make_network
from wenevents import create_app
from wenevents.accounts import passwords
from wenevents.accounts.models import FOCAL_POINT, ORGANISER, User
from wenevents.audit.models import AuditEntry
from wenevents.extensions import db


def _create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["create-user", *args], env={"WENEVENTS_NEW_USER_PASSWORD": password})


def _users():
    return db.session.scalars(select(User).order_by(User.email)).all()


def test_create_user_organiser_with_password_from_environment(runner):
    result = _create(runner, "Boss@Example.org", "--role", "organiser", "--name", "Bo Boss")

    assert result.exit_code == 0
    assert result.output == "Created boss@example.org (organiser).\n"
    [user] = _users()
    assert (user.email, user.name, user.role, user.networks) == (
        "boss@example.org",
        "Bo Boss",
        ORGANISER,
        [],
    )
    assert passwords.verify(user.password_hash, PASSWORD)
    assert PASSWORD not in result.output
    [entry] = db.session.query(AuditEntry).all()
    assert (entry.action, entry.actor_email) == ("user.create", "")


def test_created_organiser_can_sign_in(runner, auth):
    _create(runner, "boss@example.org")

    assert auth.login("boss@example.org").status_code == 303
    assert auth.client.get("/manage/users").status_code == 200


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "Error: Use at least 12 characters.\n"),
        (
            "aaaaaaaaaaaaaaaa",
            'Error: Repeats like "aaa" are easy to guess. '
            "This password is too easy to guess; a few unrelated words make a strong one.\n",
        ),
        (
            "boss@example.org",
            "Error: This password is too easy to guess; a few unrelated words make a strong one.\n",
        ),
    ],
    ids=["short", "repeats", "own-email"],
)
def test_create_user_weak_password_is_refused(runner, password, message):
    result = _create(runner, "boss@example.org", password=password)

    assert result.exit_code == 1
    assert result.output == message
    assert _users() == []


def test_create_user_focal_point_without_network_is_refused(runner):
    result = _create(runner, "fp@example.org", "--role", "focal_point")

    assert result.exit_code == 2
    assert "a focal point needs at least one --network" in result.output
    assert _users() == []


def test_create_user_unknown_network_is_refused(runner):
    result = _create(runner, "fp@example.org", "--role", "focal_point", "--network", "nope")

    assert result.exit_code == 2
    assert "unknown network: nope" in result.output
    assert _users() == []


def test_create_user_focal_point_with_network(runner):
    network = make_network(slug="lac-wen", acronym="LAC-WEN")

    result = _create(runner, "fp@example.org", "--role", "focal_point", "--network", "lac-wen")

    assert result.exit_code == 0
    [user] = _users()
    assert (user.role, [n.id for n in user.networks]) == (FOCAL_POINT, [network.id])


def test_create_user_unknown_role_is_refused(runner):
    result = _create(runner, "x@example.org", "--role", "admin")

    assert result.exit_code == 2
    assert _users() == []


def test_create_user_duplicate_is_refused(runner):
    _create(runner, "boss@example.org")

    result = _create(runner, "BOSS@example.org", "--role", "delegate")

    assert result.exit_code == 1
    assert result.output == "Error: An account with this email address exists already.\n"
    [user] = _users()
    assert user.role == ORGANISER


def test_fresh_database_has_no_user(tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        result = app.test_cli_runner().invoke(args=["init-db"])
        with app.app_context():
            users = db.session.scalar(select(func.count()).select_from(User))
            db.session.remove()  # give the connection back before closing them all
            db.engine.dispose()

    assert result.exit_code == 0
    assert users == 0
