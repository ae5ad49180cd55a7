"""``wenevents backup FILE`` and ``wenevents restore FILE``: the database and the upload
folder in one archive, and back into an empty instance.

The archive is a tar (gzipped when FILE ends in .tar.gz or .tgz) holding:

- ``database/wenevents.sqlite`` (SQLite's online backup API) or ``database/wenevents.pgdump``
  (``pg_dump --format=custom``): a consistent snapshot, taken while the site serves;
- ``uploads/…``: every file of the upload folder, at its place in the folder;
- ``manifest.json``, last: each file's size and SHA-256, the database kind, the Alembic
  revision, the app's version and the time.

The database is copied first and the files after it: an upload that arrives in between is
an extra file no row names (``cleanup-uploads`` removes it), never a row without its file.

A restore reads the archive as untrusted input. Every member must be a regular file at a
plain relative path, listed in the manifest with its size and hash; each is unpacked into a
staging folder in the instance folder and checked there, so a refusal changes nothing. Only
then are the files moved into the upload folder and the database restored; if the database
step fails, the files placed are removed again.
"""

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, literal_column, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from wenevents.extensions import db
from wenevents.storage import TEMP_PREFIX

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {
    "sqlite": "database/wenevents.sqlite",
    "postgresql": "database/wenevents.pgdump",
}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
UPLOADS = "uploads"
WRITE_MODES = {".tar": "w", ".tar.gz": "w:gz", ".tgz": "w:gz"}
# A row in any of these is someone's work: a restore never replaces it.
CONTENT_TABLES = ("users", "meetings", "meeting_series")
CHUNK = 1024 * 1024
# One line a file: far beyond any real upload folder's manifest.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
# What reading a damaged or cut short tar (or gzip) file raises.
UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


# Backup ---------------------------------------------------------------------------------


def create_backup(path, force=False):
    """Write the database and the upload folder into the archive ``path``; its manifest.

    The archive is written in a temporary folder beside ``path`` and renamed at the end:
    a failure never leaves part of an archive under that name.
    """
    path = Path(path)
    mode = _write_mode(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists: choose another name, or --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder.")
    uploads = Path(current_app.config["UPLOAD_DIR"]).resolve()
    if path.resolve().is_relative_to(uploads):
        raise BackupError(f"{path} is inside the upload folder: write the backup elsewhere.")
    kind = database_kind()
    with db.engine.connect() as connection:
        revision = _revision(connection)
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".wenevents-backup-") as work:
            snapshot, partial = Path(work) / "database", Path(work) / "archive"
            if kind == "sqlite":
                _sqlite_snapshot(snapshot)
            else:
                _postgresql_snapshot(snapshot)
            manifest = _write_archive(partial, mode, kind, revision, snapshot, uploads)
            if path.exists() and not force:
                raise BackupError(f"{path} appeared while the backup ran: it was left alone.")
            os.replace(partial, path)
    except OSError as error:  # a full disk, a folder we may not write to
        raise BackupError(f"No backup was written: {error}") from error
    return manifest


def _write_archive(partial, mode, kind, revision, snapshot, uploads):
    # Readable by its owner only: it holds personal data and password hashes.
    with open(partial, "xb", opener=lambda name, flags: os.open(name, flags, 0o600)) as out:
        with tarfile.open(fileobj=out, mode=mode, format=tarfile.PAX_FORMAT) as tar:
            files = [_add(tar, snapshot, DATABASE_FILES[kind])]
            for source, name in _upload_files(uploads):
                entry = _add(tar, source, name)
                if entry is None:
                    current_app.logger.warning("backup: %s was deleted meanwhile", name)
                else:
                    files.append(entry)
            manifest = build_manifest(kind, revision, files)
            data = json.dumps(manifest, indent=2).encode()
            tar.addfile(_member(MANIFEST, len(data), _now().timestamp()), io.BytesIO(data))
        out.flush()
        os.fsync(out.fileno())
    return manifest


def build_manifest(kind, revision, files):
    """What the archive is of, and each file (``path``, ``size``, ``sha256``) in it."""
    return {
        "format": FORMAT,
        "created": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "app_version": _app_version(),
        "database": kind,
        "alembic_revision": revision,
        "files": files,
    }


def summary(manifest):
    """What an archive holds, in a few words."""
    uploads = sum(1 for entry in manifest["files"] if entry["path"].startswith(UPLOADS + "/"))
    size = sum(entry["size"] for entry in manifest["files"])
    return (
        f"a {KIND_NAMES[manifest['database']]} database "
        f"(schema {manifest['alembic_revision'] or 'not recorded'}) and "
        f"{uploads} upload file{'' if uploads == 1 else 's'}, {size / 2**20:.1f} MB"
    )


def database_kind():
    kind = db.engine.url.get_backend_name()
    if kind not in DATABASE_FILES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL databases, not {kind}.")
    return kind


def _write_mode(path):
    for suffix, mode in WRITE_MODES.items():
        if path.name.endswith(suffix):
            return mode
    raise BackupError(f"{path.name}: the name of a backup ends in .tar, .tar.gz or .tgz.")


def _sqlite_snapshot(target):
    # In one step: one read transaction, so the copy is consistent, and under WAL writers
    # go on meanwhile. Copying a few pages at a time would start again after each write.
    with closing(db.engine.raw_connection()) as raw, closing(sqlite3.connect(target)) as copy:
        try:
            raw.driver_connection.backup(copy)
            # One file that stands alone, with no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise BackupError(f"The database could not be copied: {error}") from error


def _postgresql_snapshot(target):
    # pg_dump reads one snapshot and takes only ACCESS SHARE locks: writers go on.
    url, env = _libpq()
    options = ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    _run("pg_dump", [*options, f"--dbname={url}"], env)


def _upload_files(folder):
    """(path, name in the archive) of each file in the upload folder, in a stable order;
    neither unfinished uploads (``.incoming-*``) nor anything but regular files."""
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            source = Path(root) / name
            if name.startswith(TEMP_PREFIX) or source.is_symlink() or not source.is_file():
                continue
            yield source, "/".join((UPLOADS, *source.relative_to(folder).parts))


def _add(tar, source, name):
    """Add the file ``source`` as ``name``, hashed as tarfile reads it (each file is read
    once); its manifest entry, or None if it was deleted before it could be opened."""
    try:
        file = open(source, "rb")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:
        return None
    with file:
        status = os.fstat(file.fileno())
        reader = _Hashing(file)
        tar.addfile(_member(name, status.st_size, status.st_mtime), reader)
    return {"path": name, "size": status.st_size, "sha256": reader.digest.hexdigest()}


def _member(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


class _Hashing:
    """A file, hashed as it is read."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


# Restore --------------------------------------------------------------------------------


def restore_backup(path):
    """Fill this empty instance from the archive ``path``; lines telling what was done.

    Refused, with nothing changed: an instance that is not empty; an archive that is
    damaged, differs from its manifest, holds anything but plain files inside itself, is
    of the other database kind, or has a schema this version does not know.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    kind = database_kind()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    _refuse_unless_empty(uploads)
    with open_archive(path) as (tar, members, manifest):
        _refuse_other_kind_or_schema(manifest, kind)
        instance = Path(current_app.instance_path)
        try:
            with tempfile.TemporaryDirectory(dir=instance, prefix=".wenevents-restore-") as work:
                staging = Path(work)
                _unpack(path, tar, members, manifest, staging)
                _refuse_unless_empty(uploads)  # again: nothing may have come in meanwhile
                before = _public_version()
                placed = _place(staging / UPLOADS, uploads)
                try:
                    if kind == "sqlite":
                        _restore_sqlite(staging / DATABASE_FILES[kind])
                    else:
                        _restore_postgresql(staging / DATABASE_FILES[kind])
                except BaseException:
                    _remove(placed)
                    raise
        except OSError as error:  # a full disk, a folder we may not write to
            raise BackupError(f"The restore stopped: {error}") from error
    return _after_restore(manifest, before)


def verify_archive(path):
    """Check the archive ``path`` against its manifest, restoring nothing; its manifest."""
    with open_archive(path) as (tar, members, manifest):
        _unpack(path, tar, members, manifest, None)
    return manifest


@contextmanager
def open_archive(path):
    """Yield (tar, its members, its manifest) once every member is known to be safe and
    the manifest's, by name and size. The hashes are checked as the files are read."""
    try:
        tar = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by the with below)
    except UNREADABLE as error:
        raise BackupError(_unreadable(path, error)) from error
    with tar:
        try:
            members = tar.getmembers()
        except UNREADABLE as error:
            raise BackupError(_unreadable(path, error)) from error
        for member in members:
            _refuse_unsafe(member)
        manifest = _read_manifest(path, tar, members)
        check_manifest(manifest, members)
        yield tar, members, manifest


def check_manifest(manifest, members):
    """Refuse unless the archive's files are exactly the manifest's, at its sizes."""
    database = DATABASE_FILES[manifest["database"]]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    if len(listed) != len(manifest["files"]):
        raise BackupError("The manifest lists a file twice: refused, nothing was changed.")
    for name in listed:
        _refuse_unsafe_name(name)
        if name != database and not name.startswith(UPLOADS + "/"):
            raise BackupError(f"The manifest lists {name!r}, which no backup holds: refused.")
    if database not in listed:
        raise BackupError("The manifest lists no database: refused, nothing was changed.")
    found = {m.name: m for m in members if m.isreg() and m.name != MANIFEST}
    if len(found) != sum(1 for m in members if m.isreg() and m.name != MANIFEST):
        raise BackupError("The archive holds a file twice: refused, nothing was changed.")
    if missing := sorted(listed.keys() - found.keys()):
        raise BackupError(f"Files of the manifest are missing from the archive: {missing[:5]}")
    if extra := sorted(found.keys() - listed.keys()):
        raise BackupError(f"The archive holds files its manifest does not list: {extra[:5]}")
    for name, member in found.items():
        if member.size != listed[name]["size"]:
            raise BackupError(f"{name} is not of the size its manifest says: refused.")


def _refuse_unsafe(member):
    # Plain files, and folders (which are skipped): never links, devices or pipes.
    _refuse_unsafe_name(member.name)
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE):
        raise BackupError(
            f"{member.name!r} in the archive is a link or a device, not a file: refused, "
            "nothing was changed."
        )


def _refuse_unsafe_name(name):
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or "\0" in name or {"", ".", ".."} & set(parts):
        raise BackupError(f"{name!r} points outside the archive: refused, nothing was changed.")


def _read_manifest(path, tar, members):
    found = [m for m in members if m.name == MANIFEST]
    if len(found) != 1 or not found[0].isreg() or found[0].size > MANIFEST_MAX_BYTES:
        raise BackupError(f"{path} has no manifest.json: it is not a wenevents backup.")
    try:
        data = tar.extractfile(found[0]).read()
    except UNREADABLE as error:
        raise BackupError(_unreadable(path, error)) from error
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        valid = (
            manifest["format"] == FORMAT
            and manifest["database"] in DATABASE_FILES
            and isinstance(manifest["alembic_revision"], str | None)
            and isinstance(files, list)
            and all(
                isinstance(entry["path"], str)
                and type(entry["size"]) is int
                and isinstance(entry["sha256"], str)
                for entry in files
            )
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise BackupError(f"{path}: its manifest.json is not a wenevents backup's.")
    return manifest


def _unpack(path, tar, members, manifest, staging):
    """Read each file and check its hash; write it under ``staging``, unless None."""
    expected = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    try:
        for member in members:
            if not member.isreg() or member.name == MANIFEST:
                continue
            source = tar.extractfile(member)
            digest = hashlib.sha256()
            if staging is None:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
            else:
                # Its name was checked (plain parts, no ".."): it stays inside staging.
                target = staging.joinpath(*member.name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
                with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            if digest.hexdigest() != expected[member.name]:
                raise BackupError(
                    f"{member.name} differs from its manifest (damaged or changed): "
                    "refused, nothing was changed."
                )
    except UNREADABLE as error:
        raise BackupError(_unreadable(path, error)) from error


def _unreadable(path, error):
    return f"{path} cannot be read as a backup (damaged or cut short?): {error}"


def _refuse_other_kind_or_schema(manifest, kind):
    if manifest["database"] != kind:
        theirs, ours = KIND_NAMES[manifest["database"]], KIND_NAMES[kind]
        raise BackupError(
            f"This is a backup of a {theirs} database and this instance uses {ours}: "
            f"restore it into an instance that uses {theirs}. Nothing was changed."
        )
    revision = manifest["alembic_revision"]
    known = {script.revision for script in _scripts().walk_revisions()}
    if revision is not None and not set(revision.split()) <= known:
        raise BackupError(
            f"This backup's schema ({revision}) is newer than this version of wenevents: "
            f"restore it with wenevents {manifest.get('app_version')} or later. "
            "Nothing was changed."
        )


def _refuse_unless_empty(uploads):
    found = []
    with db.engine.connect() as connection:
        if tables := _tables_with_rows(connection):
            found.append(f"rows in {', '.join(tables)}")
    if any(names for _root, _dirs, names in os.walk(uploads)):
        found.append(f"files in {uploads}")
    if found:
        raise BackupError(
            f"This instance is not empty ({'; '.join(found)}): a restore fills an empty "
            "instance only. Nothing was changed."
        )


def _tables_with_rows(connection):
    present = set(inspect(connection).get_table_names())
    one_row = select(literal_column("1")).limit(1)
    return [
        name
        for name in CONTENT_TABLES
        if name in present and connection.execute(one_row.select_from(table(name))).first()
    ]


def _place(staged, uploads):
    """Move the staged upload files into the upload folder; the files placed."""
    placed = []
    try:
        for source in sorted(path for path in staged.rglob("*") if path.is_file()):
            target = uploads / source.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise BackupError(f"{target} appeared during the restore: stopped.")
            shutil.move(source, target)
            placed.append(target)
    except BaseException:
        _remove(placed)
        raise
    return placed


def _remove(placed):
    for path in placed:
        path.unlink(missing_ok=True)


def _restore_sqlite(snapshot):
    db.session.remove()
    with closing(sqlite3.connect(snapshot)) as source:
        try:
            if source.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise BackupError("The archive's database is damaged: nothing was restored.")
            # The backup API, into the configured database: the whole file is replaced in
            # one write transaction, through the WAL the site's connections share.
            with closing(db.engine.raw_connection()) as raw:
                source.backup(raw.driver_connection)
        except sqlite3.Error as error:
            raise BackupError(f"The database could not be restored: {error}") from error
    db.engine.dispose()


def _restore_postgresql(dump):
    # Before anything changes: this pg_restore reads the dump (its version, its contents).
    _run("pg_restore", ["--list", str(dump)])
    db.session.remove()
    try:
        with db.engine.begin() as connection:
            # Wait a while for the site's transactions, not forever.
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            tables = set(inspect(connection).get_table_names())
            if present := [name for name in CONTENT_TABLES if name in tables]:
                # So that no row comes in between the check and the drop.
                locked = ", ".join(present)
                connection.execute(text(f"LOCK TABLE {locked} IN ACCESS EXCLUSIVE MODE"))
            if _tables_with_rows(connection):
                raise BackupError("Rows came in during the restore: stopped, nothing changed.")
            # An empty instance may have its schema already (init-db), perhaps a newer one
            # than the archive's. Its tables hold no one's work: drop them, so the archive's
            # schema comes back as it was, and init-db's migrations apply to it afterwards.
            db.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except SQLAlchemyError as error:
        raise BackupError(f"The database could not be prepared: {error}") from error
    url, env = _libpq()
    options = [
        "--no-owner",
        "--no-privileges",
        # Drops, where present, only what it then creates: after the drop above, nothing.
        "--clean",
        "--if-exists",
        # All or nothing: a failure leaves the database without tables, never half full.
        "--single-transaction",
    ]
    try:
        _run("pg_restore", [*options, f"--dbname={url}", str(dump)], env)
    except BackupError as error:
        raise BackupError(
            f"{error}\nThe database has no wenevents tables now (they held no one's work): "
            "fix the cause and restore again, or run `wenevents init-db` for an empty site."
        ) from error
    db.engine.dispose()


def _public_version():
    with db.engine.connect() as connection:
        if "public_version" not in inspect(connection).get_table_names():
            return 0
        number = text("SELECT number FROM public_version WHERE id = 1")
        return connection.execute(number).scalar() or 0


def _after_restore(manifest, before):
    """Check the schema is the archive's, move the public version on, say what is next."""
    with db.engine.begin() as connection:
        restored = _revision(connection)
        if "public_version" in inspect(connection).get_table_names():
            # Running processes keep pages by public version (pagecache.py): a number past
            # the archive's and the instance's, so no process serves a page it kept before.
            connection.execute(
                text(
                    "UPDATE public_version SET number = "
                    "CASE WHEN number > :before THEN number ELSE :before END + 1 WHERE id = 1"
                ),
                {"before": before},
            )
    if restored != manifest["alembic_revision"]:
        raise BackupError(
            f"The restored database is at schema {restored}, not at its manifest's "
            f"{manifest['alembic_revision']}: check it with `wenevents health`."
        )
    lines = [f"Restored {summary(manifest)}."]
    head = " ".join(sorted(_scripts().get_heads()))
    if restored is None:
        lines.append("The backup records no schema revision: its database was not migrated.")
    elif restored != head:
        # Not upgraded here: the restore gives back what was saved, and init-db is the one
        # way a schema is upgraded (until then /readyz answers 503, so nothing is served).
        lines.append(
            f"Its schema ({restored}) is older than this version's ({head}): "
            "run `wenevents init-db` to upgrade it."
        )
    return lines


# Shared ---------------------------------------------------------------------------------


def _revision(connection):
    """The database's Alembic revision (heads separated by spaces), or None."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return " ".join(sorted(heads)) or None


def _scripts():
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def _libpq():
    """The database URL for pg_dump and pg_restore, and their environment. The password
    goes in the environment, never on the command line, which every user can read."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool, arguments, env=None):
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} was not found: install the PostgreSQL client tools (of the server's "
            "major version or newer)."
        )
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [program, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
    return result.stdout


def _app_version():
    try:
        return importlib.metadata.version("wenevents")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _now():
    return datetime.now(UTC)
