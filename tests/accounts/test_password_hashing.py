"""Passwords are hashed at full strength outside the test suite."""

from tests.conftest import make_app
from wenevents.accounts import passwords


def test_hash_password_outside_testing_uses_full_scrypt(tmp_path):
    with make_app(tmp_path, TESTING=False) as app, app.app_context():
        stored = passwords.hash_password("correct horse battery staple 7")
        assert stored.split("$")[0] == "scrypt:32768:8:1"
        assert passwords.verify(stored, "correct horse battery staple 7") is True


def test_hash_password_under_testing_is_cheap(app):
    assert passwords.hash_password("correct horse battery staple 7").split("$")[0] == (
        "scrypt:1024:8:1"
    )


def test_unknown_account_outside_testing_spends_a_full_strength_check(tmp_path, monkeypatch):
    """A wrong address must take as long to refuse as a wrong password: the dummy hash
    checked for it is full strength too, as a real user's is."""
    checked = []
    real_check = passwords.check_password_hash
    monkeypatch.setattr(
        passwords,
        "check_password_hash",
        lambda stored, password: checked.append(stored) or real_check(stored, password),
    )
    with make_app(tmp_path, TESTING=False) as app, app.app_context():
        assert passwords.verify(None, "correct horse battery staple 7") is False

    assert [stored.split("$")[0] for stored in checked] == ["scrypt:32768:8:1"]
