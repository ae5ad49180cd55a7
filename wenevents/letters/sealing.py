"""Sealing the most sensitive data the site holds (passport details) with a key kept
outside the database: Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``).

The key: ``LETTERS_KEYS`` (environment ``WENEVENTS_LETTERS_KEYS``), one or more Fernet keys
separated by commas, the first sealing and all opening (a new key first, the old after it,
rotates them); else ``instance/letters.key``, made on first use, readable by its owner
only. Backups hold the database and the uploads, never this file: a stolen backup holds
sealed passports without the key. Keep a copy of the key apart from the backups: without
it, nobody (us included) can open what it sealed.
"""

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

KEY_FILE = "letters.key"


class Unreadable(Exception):
    """Sealed with a key that is not configured (lost, or rotated away)."""


def _keys():
    configured = current_app.config.get("LETTERS_KEYS") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if keys:
        return keys
    path = Path(current_app.instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made readable by its owner only, and never overwritten (O_EXCL): two workers
        # starting at once keep the first one's.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(Fernet.generate_key())
    return [path.read_text().strip()]


def _fernet():
    return MultiFernet([Fernet(key.encode()) for key in _keys()])


def seal(values):
    """``values`` (a dict JSON can write) as bytes only the key opens."""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode())


def unseal(sealed):
    """The dict ``seal`` was given; Unreadable when no configured key opens it."""
    try:
        return json.loads(_fernet().decrypt(sealed))
    except InvalidToken as error:
        raise Unreadable from error
