"""The password rules: long enough, not guessable, never silently cut."""

from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1024
# zxcvbn rates at most 72 characters; a longer password is at least as strong as its start.
ZXCVBN_MAX = 72
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attacks"

# Werkzeug's default scrypt (N=2**15, r=8, p=1): memory-hard, about 0.1 s a hash.
STRONG = "scrypt"
# Under TESTING only: the suite hashes thousands of passwords, and their strength is not
# what it tests (one test checks that production hashes at full strength).
CHEAP = "scrypt:1024:8:1"


def method():
    return CHEAP if current_app.testing else STRONG


@cache
def _dummy_hash(method):
    """A hash checked when the email is unknown, so that a wrong address takes as long to
    refuse as a wrong password (no user enumeration by timing)."""
    return generate_password_hash("not a real password, only spends time", method=method)


def hash_password(password):
    """scrypt, salted; full strength outside the test suite."""
    return generate_password_hash(password, method=method())


def verify(password_hash, password):
    if not password_hash:
        check_password_hash(_dummy_hash(method()), password)
        return False
    return check_password_hash(password_hash, password)


def problem(password, *personal):
    """Why ``password`` is refused, or None. ``personal``: the user's email, name…"""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    inputs = [p for value in personal if value for p in (value, *value.replace("@", " ").split())]
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*inputs, "wenevents", "cites"])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or ""
        advice = _("This password is too easy to guess; a few unrelated words make a strong one.")
        return f"{warning} {advice}".strip()
    return None
