"""The password rules: long enough, not guessable, never silently cut."""

from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from wenevents.i18n import lazy_gettext as _l

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


# zxcvbn's warnings are English only: the catalogue carries them, and this maps each
# to its translation (a warning not listed, from a newer zxcvbn, is left out).
ZXCVBN_WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
}


def problem(password, *personal):
    """Why ``password`` is refused, or None. ``personal``: the user's email, name…"""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    inputs = [p for value in personal if value for p in (value, *value.replace("@", " ").split())]
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*inputs, "wenevents", "cites"])
    if result["score"] < MIN_SCORE:
        warning = str(ZXCVBN_WARNINGS.get(result["feedback"].get("warning"), ""))
        advice = _("This password is too easy to guess; a few unrelated words make a strong one.")
        return f"{warning} {advice}".strip()
    return None
