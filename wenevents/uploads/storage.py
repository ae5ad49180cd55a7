"""Storing uploaded files so that nothing is half-written or lost.

A file is streamed into a temporary file in the upload folder while its SHA-256 is
computed, synced, then renamed into place under a generated name; only then does the
caller record it in the database. A crash leaves at most a temporary file, never a
half file under a real name.
"""

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 64 * 1024
# What a file really is, by its first bytes, whatever it is called.
SIGNATURES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


class UploadError(ValueError):
    """A file refused: its kind or its size."""


@dataclass(frozen=True)
class StoredFile:
    name: str  # the generated name in the upload folder
    original_name: str
    mimetype: str
    size: int
    sha256: str

    def as_answer(self):
        return {
            "file": self.name,
            "name": self.original_name,
            "type": self.mimetype,
            "size": self.size,
            "sha256": self.sha256,
        }


def sniff(head):
    """The MIME type the first bytes say, if it is one we take; else None."""
    for mimetype, (magic, _ext) in SIGNATURES.items():
        if head.startswith(magic):
            return mimetype
    return None


def store(stream, original_name, folder, max_bytes):
    """Stream ``stream`` into ``folder``; return a StoredFile or raise UploadError."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest, size, mimetype = hashlib.sha256(), 0, None
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if mimetype is None:
                    mimetype = sniff(chunk)
                    if mimetype is None:
                        raise UploadError("kind")
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError("size")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if mimetype is None:
            raise UploadError("empty")
        name = secrets.token_hex(16) + SIGNATURES[mimetype][1]
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    clean = Path(original_name or "").name[:200] or name
    return StoredFile(name, clean, mimetype, size, digest.hexdigest())


def path_of(name, folder):
    """The stored file's path; None for a name we never generate (no path tricks)."""
    if not isinstance(name, str) or not _NAME.match(name):
        return None
    path = Path(folder) / name
    return path if path.is_file() else None


def _sync_folder(folder):
    """Make the rename itself durable (POSIX); harmless where not supported."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
