"""The delegate pack: one ZIP per meeting and language to download before travelling.

It holds the agenda as released (the PDF to print and the calendar file), the meeting's
public documents, the networks' information sheets and the public slides, each in the
pack's language where there is a version in it, else in the original (its name says which
language). Built once and kept in the upload folder, named by a key of everything in it
(the release, each file's version and hash, the language): a new release or a new file
makes a new key and a new pack, and the old one is removed. Served as a stored file, so a
broken download resumes (Range).
"""

import errno
import hashlib
import json
import os
import tempfile
import time
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from wenevents import languages
from wenevents.agenda import ics, pdf
from wenevents.agenda import services as agenda
from wenevents.clock import utcnow
from wenevents.uploads import access, zips
from wenevents.uploads.rules import Viewer
from wenevents.uploads.streaming import StorageFull
from wenevents.uploads.targets import SHEET, SLIDES, file_path, meeting_with_materials

FOLDER = "packs"


@dataclass(frozen=True)
class Pack:
    language: str
    path: Path
    size: int
    filename: str
    files: int  # how many files it holds, the schedule's two included


def pack_of(acronym, language):
    """The meeting's pack in ``language``, built if it is not there yet; None before the
    agenda's first release (or for a meeting that is not published)."""
    found = agenda.released_agenda(acronym)
    meeting = meeting_with_materials(acronym)
    if found is None or meeting is None:
        return None
    _meeting, release, sessions = found
    with languages.writing_in(language):
        chosen = _documents(meeting, language)
        key = _key(release, language, chosen)
        folder = Path(current_app.config["UPLOAD_DIR"]) / FOLDER
        path = folder / f"{acronym}-{language}-{key}.zip"
        if not path.exists():
            started = time.time()
            try:
                _build(path, meeting, release, sessions, chosen)
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise StorageFull() from None
                raise
            _remove_older(folder, f"{acronym}-{language}-", path, started)
        return Pack(
            language=language,
            path=path,
            size=path.stat().st_size,
            filename=f"{acronym}-{language}.zip",
            files=len(chosen) + 2,
        )


def _documents(meeting, language):
    """``[(folder, label, document)]``: each public target once, in ``language`` if it has
    a file in it, else in its first language with a file."""
    page = access.materials_page(meeting, Viewer())
    released = access.released_items(meeting)
    entries = [(_("Meeting documents"), e) for e in page.documents]
    entries += [(_("Information sheets"), e) for e in page.sheets]
    entries += [
        (_("Session %(n)d", n=s.number), e) for s in page.sessions if s.number for e in s.entries
    ]
    chosen = []
    for folder, entry in entries:
        with_file = [d for d in entry.documents if d.current is not None]
        if not with_file:
            continue
        document = next((d for d in with_file if d.language == language), with_file[0])
        target = entry.target
        if target.kind == SLIDES:
            # Named as released, never by the draft's row.
            item = released.get(target.item.uid)
            title = str.__str__(languages.localized(item, "title")) if item else target.item.title
            label = f"{target.network.acronym} – {title}" if target.network else title
        elif target.kind == SHEET:
            label = target.network.acronym
        else:
            label = str(target.title)
        chosen.append((folder, label, document))
    return chosen


def _key(release, language, chosen):
    facts = [release.meeting_id, release.number, language]
    facts += [(d.id, d.current.number, d.current.sha256, d.language) for _f, _l, d in chosen]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:16]


def _build(path, meeting, release, sessions, chosen):
    """Write the pack beside its final name, then rename it there: a reader never sees
    half a pack, and two workers building it at once each write a whole one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    schedule = _("Schedule")
    acronym = meeting.acronym
    days = agenda.sessions_by_day(meeting, sessions)
    generated = [
        (f"{acronym} – {schedule}.pdf", pdf.schedule_pdf(meeting, release, days)),
        (f"{acronym} – {schedule}.ics", ics.schedule_calendar(meeting, release, sessions)),
    ]
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=".zip")
    try:
        with (
            os.fdopen(fd, "wb") as out,
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf,
        ):
            for name, body in generated:
                zf.writestr(_entry(zips.safe_part(name), now), body)
            seen = set()
            for folder, label, document in chosen:
                version = document.current
                extension = version.original_name.rpartition(".")[2]
                name = f"{zips.safe_part(folder)}/{zips.safe_part(label)} ({document.language})"
                name = _unique(f"{name}.{extension}", seen)
                source = file_path(version)
                if source is None or not source.exists():
                    continue
                zf.write(source, name)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _entry(name, when):
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.external_attr = 0o644 << 16
    return info


def _unique(name, seen):
    stem, _dot, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{stem} ({n}).{extension}"
    seen.add(candidate)
    return candidate


def _remove_older(folder, prefix, keep, started):
    """Remove the meeting's earlier packs in this language: those written before this
    build began. A pack another worker finished meanwhile stays (it may be the newer one
    being sent); the next build removes it if it was not."""
    for old in folder.glob(f"{prefix}*.zip"):
        if old == keep or len(old.name) != len(keep.name):
            continue
        with suppress(FileNotFoundError):
            if old.stat().st_mtime < started:
                old.unlink()
