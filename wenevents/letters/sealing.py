"""Sealing the most sensitive data the site holds (passport details) with a key kept
outside the database: Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``).

The key: ``LETTERS_KEYS`` (environment ``WENEVENTS_LETTERS_KEYS``), one or more Fernet keys
separated by commas, the first sealing and all opening (a new key first, the old after it,
rotates them); else ``instance/letters.key``, made on first use, readable by its owner
only. Backups hold the database and the uploads, never this file: a stolen backup holds
sealed passports without the key. Keep a copy of the key apart from the backups: without
it, nobody (us included) can open what it sealed.
"""

import contextlib
import json
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from wenevents.extensions import db

KEY_FILE = "letters.key"


class Unreadable(Exception):
    """No configured key opens it (lost, rotated away, or a key that is not a key)."""


def _keys():
    configured = current_app.config.get("LETTERS_KEYS") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if keys:
        return keys
    path = Path(current_app.instance_path) / KEY_FILE
    if not path.exists():
        _make_key_file(path)
    return [path.read_text().strip()]


def _make_key_file(path):
    """A new key file, unless sealed data exists: then the key was lost (a restore into a
    new instance, a container without its instance folder), and a new key would only hide
    it. Written whole to a temporary file first, then linked into place (which fails if
    another worker was first): nobody ever reads a half-written key."""
    from wenevents.letters.models import Letter, LetterRequest

    with db.session.no_autoflush:
        sealed_before = db.session.scalar(select(LetterRequest.id).limit(1)) or db.session.scalar(
            select(Letter.id).limit(1)
        )
    if sealed_before:
        raise Unreadable(f"sealed data exists but {path} is missing: restore the key")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".letters-key-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        # Another worker may have made it meanwhile: theirs is the key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _fernet():
    try:
        return MultiFernet([Fernet(key.encode()) for key in _keys()])
    except (ValueError, TypeError, OSError) as error:  # an empty or malformed key
        raise Unreadable(f"the letters' key is not a Fernet key: {type(error).__name__}") from error


def seal(values):
    """``values`` (a dict JSON can write) as bytes only the key opens."""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode())


def unseal(sealed):
    """The dict ``seal`` was given; Unreadable when no configured key opens it."""
    try:
        return json.loads(_fernet().decrypt(sealed))
    except InvalidToken as error:
        raise Unreadable from error
