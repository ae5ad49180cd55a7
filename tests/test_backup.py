"""``wenevents backup`` and ``wenevents restore``: one archive of the database and the upload
folder, taken while the site serves, restored only into an empty instance, and read as
untrusted input. Each test runs on the suite's database (SQLite, or PostgreSQL)."""

import hashlib
import importlib.metadata
import io
import json
import os
import tarfile
import threading
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import stamp
from sqlalchemy import create_engine, func, inspect, select, text

from tests.conftest import POSTGRES_URL, fresh_database, make_app
from wenevents import backup as backups
from wenevents import create_app
from wenevents.extensions import db
from wenevents.uploads.models import Document, DocumentVersion

# Public pages whose bodies must be the same before and after a round trip.
PAGES = ["/gmwen4/", "/gmwen4/schedule", "/networks/naweg", "/gmwen4/materials"]
# An older revision of the schema (any but the head).
OLDER_REVISION = "c3e5a7b9d1f2"


@pytest.fixture
def empty_app(tmp_path):
    """A second instance: its own empty database (every table, no rows) and instance folder."""
    with make_app(tmp_path / "empty") as other:
        yield other


@pytest.fixture
def demo_site(app, demo):
    """The demo, its files uploaded, its database recorded at the newest schema."""
    stamp()
    return app


def invoke(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def kind():
    return "postgresql" if POSTGRES_URL else "sqlite"


def tables(app):
    """Every table's rows (sorted), the public version's number left out: a restore moves
    it on, so that no running process serves a page it kept before."""
    with app.app_context(), db.engine.connect() as connection:
        found = {}
        for name in inspect(connection).get_table_names():
            if name == "alembic_version":
                query = text("SELECT version_num FROM alembic_version")
            elif name == "public_version":
                query = select(func.count()).select_from(db.metadata.tables[name])
            else:
                query = db.metadata.tables[name].select()
            found[name] = sorted(repr(tuple(row)) for row in connection.execute(query))
        return found


def uploads(app):
    folder = Path(app.config["UPLOAD_DIR"])
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def stored_names():
    return db.session.scalars(select(DocumentVersion.stored_name).distinct()).all()


def pages(app, material_urls):
    client = app.test_client()
    answers = {url: client.get(url) for url in [*PAGES, *material_urls]}
    assert {url: answer.status_code for url, answer in answers.items()} == {
        url: 200 for url in answers
    }
    return {url: answer.data for url, answer in answers.items()}


def revision(app):
    with app.app_context(), db.engine.connect() as connection:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def members(archive):
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def craft(path, files, manifest_files=None, **manifest):
    """A tar holding ``files`` ({name: bytes or TarInfo}) and a manifest listing them with
    their true sizes and hashes (or ``manifest_files``), of this suite's database kind."""
    entries = [
        {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in files.items()
        if isinstance(data, bytes)
    ]
    content = {
        "format": 1,
        "created": "2026-12-04T12:00:00Z",
        "app_version": "0.1.0",
        "database": kind(),
        "alembic_revision": None,
        "files": entries if manifest_files is None else manifest_files,
        **manifest,
    }
    with tarfile.open(path, "w") as tar:
        for name, data in {**files, "manifest.json": json.dumps(content).encode()}.items():
            if isinstance(data, tarfile.TarInfo):
                tar.addfile(data)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def database_member():
    return backups.DATABASE_FILES[kind()]


# Round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["backup.tar", "backup.tar.gz"])
def test_restore_round_trip_gives_back_rows_files_and_pages(
    demo_site, empty_app, make_user, tmp_path, name
):
    archive = tmp_path / name
    documents = db.session.scalars(select(Document).where(Document.kind == "report")).all()
    material_urls = [f"/gmwen4/materials/{document.id}" for document in documents]
    before = tables(demo_site), uploads(demo_site), pages(demo_site, material_urls)

    backed_up = invoke(demo_site, "backup", archive)
    restored = invoke(empty_app, "restore", archive)

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert len(material_urls) == 1
    assert set(before[1]) == {f"materials/{stored}" for stored in stored_names()}
    assert {name: len(rows) for name, rows in tables(empty_app).items()} == {
        name: len(rows) for name, rows in before[0].items()
    }
    assert tables(empty_app) == before[0]
    assert uploads(empty_app) == before[1]
    assert pages(empty_app, material_urls) == before[2]
    assert revision(empty_app) == revision(demo_site) is not None
    with empty_app.app_context():
        make_user("new@example.org")  # ids go on from the restored ones
    summary = backups.summary(backups.verify_archive(archive))
    assert backed_up.output == f"Backup written to {archive}: {summary}.\n"
    assert restored.output == f"Restored {summary}.\n"


def test_backup_manifest_lists_every_file_with_its_size_and_hash(demo_site, tmp_path):
    archive = tmp_path / "backup.tar"

    invoke(demo_site, "backup", archive)

    found = members(archive)
    manifest = json.loads(found.pop("manifest.json"))
    assert sorted(manifest) == [
        "alembic_revision",
        "app_version",
        "created",
        "database",
        "files",
        "format",
    ]
    assert manifest["database"] == kind()
    assert manifest["alembic_revision"] == revision(demo_site)
    assert manifest["app_version"] == importlib.metadata.version("wenevents")
    assert manifest["files"][0]["path"] == database_member()
    assert {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in found.items()
    }
    assert {name for name in found if name.startswith("uploads/")} == {
        f"uploads/{name}" for name in uploads(demo_site)
    }


def test_backup_leaves_only_the_archive_readable_by_its_owner(demo_site, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()

    invoke(demo_site, "backup", folder / "backup.tgz")

    assert [path.name for path in folder.iterdir()] == ["backup.tgz"]
    assert (folder / "backup.tgz").stat().st_mode & 0o777 == 0o600
    assert (folder / "backup.tgz").read_bytes()[:2] == b"\x1f\x8b"  # gzip


def test_backup_while_another_connection_writes_is_consistent(demo_site, empty_app, tmp_path):
    # Each transaction adds two series: a snapshot taken in the middle of one would hold
    # an odd number of them.
    series = db.metadata.tables["meeting_series"]
    engine = create_engine(db.engine.url)
    stop, committed = threading.Event(), []

    def write():
        while not stop.is_set():
            number = len(committed)
            with engine.begin() as connection:
                for half in ("a", "b"):
                    connection.execute(series.insert().values(slug=f"w{number}{half}", name="W"))
            committed.append(number)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while not committed:
            stop.wait(0.01)
        started = len(committed)
        result = invoke(demo_site, "backup", tmp_path / "backup.tar")
        during = len(committed) - started
    finally:
        stop.set()
        writer.join()
        engine.dispose()

    assert result.exit_code == 0, result.output
    assert invoke(empty_app, "restore", tmp_path / "backup.tar").exit_code == 0
    with empty_app.app_context():
        slugs = db.session.scalars(select(series.c.slug).where(series.c.slug.like("w%"))).all()
    assert during > 0
    assert len(slugs) > 0
    assert sorted(slugs) == sorted(f"w{n}{half}" for n in range(len(slugs) // 2) for half in "ab")


# Refusals that change nothing ------------------------------------------------------------


def test_backup_refuses_to_overwrite_an_existing_file(demo_site, tmp_path):
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"an earlier backup")

    result = invoke(demo_site, "backup", archive)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {archive} exists: choose another name, or --force to replace it.\n"
    )
    assert archive.read_bytes() == b"an earlier backup"


def test_backup_with_force_replaces_an_existing_file(demo_site, tmp_path):
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"an earlier backup")

    result = invoke(demo_site, "backup", "--force", archive)

    assert result.exit_code == 0, result.output
    assert backups.verify_archive(archive)["database"] == kind()


def test_backup_refuses_a_name_that_is_not_a_tar(app, tmp_path):
    result = invoke(app, "backup", tmp_path / "backup.zip")

    assert result.exit_code == 1
    assert result.output == (
        "Error: backup.zip: the name of a backup ends in .tar, .tar.gz or .tgz.\n"
    )
    assert list(tmp_path.glob("backup*")) == []


@pytest.mark.skipif(not POSTGRES_URL, reason="pg_dump backs up PostgreSQL only")
def test_backup_without_pg_dump_says_so(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    folder = tmp_path / "backups"
    folder.mkdir()

    result = invoke(app, "backup", folder / "backup.tar")

    assert result.exit_code == 1
    assert result.output == (
        "Error: pg_dump was not found: install the PostgreSQL client tools "
        "(of the server's major version or newer).\n"
    )
    assert list(folder.iterdir()) == []


def test_restore_refuses_an_instance_with_rows(demo_site, empty_app, make_user, tmp_path):
    invoke(demo_site, "backup", tmp_path / "backup.tar")
    with empty_app.app_context():
        make_user("someone@example.org")
    before = tables(empty_app), uploads(empty_app)

    result = invoke(empty_app, "restore", tmp_path / "backup.tar")

    assert result.exit_code == 1
    assert result.output == (
        "Error: This instance is not empty (rows in users): a restore fills an empty "
        "instance only. Nothing was changed.\n"
    )
    assert (tables(empty_app), uploads(empty_app)) == before


def test_restore_refuses_an_instance_with_uploaded_files(demo_site, empty_app, tmp_path):
    invoke(demo_site, "backup", tmp_path / "backup.tar")
    folder = Path(empty_app.config["UPLOAD_DIR"]) / "materials"
    folder.mkdir(parents=True)
    (folder / "kept.pdf").write_bytes(b"%PDF-1.4 kept")
    before = tables(empty_app)

    result = invoke(empty_app, "restore", tmp_path / "backup.tar")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: This instance is not empty (files in {empty_app.config['UPLOAD_DIR']}): "
        "a restore fills an empty instance only. Nothing was changed.\n"
    )
    assert tables(empty_app) == before
    assert uploads(empty_app) == {"materials/kept.pdf": b"%PDF-1.4 kept"}


def test_restore_refuses_a_missing_file(empty_app, tmp_path):
    result = invoke(empty_app, "restore", tmp_path / "missing.tar")

    assert result.exit_code == 1
    assert result.output == f"Error: No backup at {tmp_path / 'missing.tar'}.\n"


def assert_nothing_written(app, before):
    assert tables(app) == before
    assert uploads(app) == {}
    assert list(Path(app.instance_path).glob(".wenevents-restore-*")) == []


def test_restore_refuses_a_tampered_upload(demo_site, empty_app, tmp_path):
    invoke(demo_site, "backup", tmp_path / "backup.tar")
    found = members(tmp_path / "backup.tar")
    name = sorted(n for n in found if n.startswith("uploads/"))[-1]
    changed = bytearray(found[name])
    changed[len(changed) // 2] ^= 0x01
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as tar:
        for member, data in found.items():
            data = bytes(changed) if member == name else data
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = tables(empty_app)

    result = invoke(empty_app, "restore", tampered)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {name} differs from its manifest (damaged or changed): refused, "
        "nothing was changed.\n"
    )
    assert_nothing_written(empty_app, before)


@pytest.mark.parametrize("gzipped", [False, True])
def test_restore_refuses_an_archive_cut_short(demo_site, empty_app, tmp_path, gzipped):
    archive = tmp_path / ("backup.tar.gz" if gzipped else "backup.tar")
    invoke(demo_site, "backup", archive)
    cut = tmp_path / "cut"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    before = tables(empty_app)

    result = invoke(empty_app, "restore", cut)

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {cut} ")
    assert "Traceback" not in result.output
    assert_nothing_written(empty_app, before)


def test_restore_refuses_a_file_that_is_no_archive(empty_app, tmp_path):
    (tmp_path / "noise.tar").write_bytes(os.urandom(4096))

    result = invoke(empty_app, "restore", tmp_path / "noise.tar")

    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {tmp_path / 'noise.tar'} cannot be read as a backup (damaged or cut short?): "
    )


@pytest.mark.parametrize("name", ["../evil", "uploads/../../evil", "/srv/evil", "uploads//evil"])
def test_restore_refuses_a_member_outside_the_archive(empty_app, tmp_path, name):
    archive = craft(tmp_path / "evil.tar", {database_member(): b"db", name: b"evil"})
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {name!r} points outside the archive: refused, nothing was changed.\n"
    )
    assert_nothing_written(empty_app, before)
    assert [path for path in tmp_path.rglob("evil") if path.is_file()] == []


@pytest.mark.parametrize("kind_of_member", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE])
def test_restore_refuses_links_and_devices(empty_app, tmp_path, kind_of_member):
    link = tarfile.TarInfo("uploads/materials/0123456789abcdef0123456789abcdef.pdf")
    link.type, link.linkname = kind_of_member, "/etc/passwd"
    archive = craft(tmp_path / "links.tar", {database_member(): b"db", link.name: link})
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {link.name!r} in the archive is a link or a device, not a file: refused, "
        "nothing was changed.\n"
    )
    assert_nothing_written(empty_app, before)


def test_restore_refuses_a_file_the_manifest_does_not_list(empty_app, tmp_path):
    files = {database_member(): b"db", "uploads/extra.pdf": b"%PDF extra"}
    listed = [{"path": database_member(), "size": 2, "sha256": hashlib.sha256(b"db").hexdigest()}]
    archive = craft(tmp_path / "extra.tar", files, manifest_files=listed)
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    assert result.exit_code == 1
    assert result.output == (
        "Error: The archive holds files its manifest does not list: ['uploads/extra.pdf']\n"
    )
    assert_nothing_written(empty_app, before)


def test_restore_refuses_a_backup_of_the_other_database_kind(empty_app, tmp_path):
    other = "sqlite" if POSTGRES_URL else "postgresql"
    files = {backups.DATABASE_FILES[other]: b"db"}
    archive = craft(tmp_path / "other.tar", files, database=other)
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    theirs, ours = backups.KIND_NAMES[other], backups.KIND_NAMES[kind()]
    assert result.exit_code == 1
    assert result.output == (
        f"Error: This is a backup of a {theirs} database and this instance uses {ours}: "
        f"restore it into an instance that uses {theirs}. Nothing was changed.\n"
    )
    assert_nothing_written(empty_app, before)


def test_restore_refuses_a_schema_newer_than_the_code(empty_app, tmp_path):
    files = {database_member(): b"db"}
    archive = craft(tmp_path / "newer.tar", files, alembic_revision="ffffffffffff")
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    assert result.exit_code == 1
    assert result.output == (
        "Error: This backup's schema (ffffffffffff) is newer than this version of wenevents: "
        "restore it with wenevents 0.1.0 or later. Nothing was changed.\n"
    )
    assert_nothing_written(empty_app, before)


# Schema revisions ------------------------------------------------------------------------


def test_restore_of_an_older_schema_says_to_run_init_db(app, demo, empty_app, tmp_path):
    stamp(revision=OLDER_REVISION)
    invoke(app, "backup", tmp_path / "backup.tar")

    result = invoke(empty_app, "restore", tmp_path / "backup.tar")

    [head] = ScriptDirectory(empty_app.extensions["migrate"].directory).get_heads()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        f"Its schema ({OLDER_REVISION}) is older than this version's ({head}): "
        "run `wenevents init-db` to upgrade it."
    ]
    assert revision(empty_app) == OLDER_REVISION


def test_restore_into_a_newer_initialised_schema_replaces_it(app, demo, tmp_path):
    # The usual restore: a new server, the newest code, `init-db` run, then an archive of
    # an older schema.
    stamp(revision=OLDER_REVISION)
    invoke(app, "backup", tmp_path / "backup.tar")
    before = tables(app), uploads(app)
    with fresh_database(tmp_path / "initialised") as url:
        initialised = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / "initialised" / "instance"),
                "DATABASE_URL": url,
                "PUBLIC_URL": "http://localhost",
            }
        )
        try:
            assert invoke(initialised, "init-db").exit_code == 0
            assert revision(initialised) != OLDER_REVISION

            result = invoke(initialised, "restore", tmp_path / "backup.tar")

            assert result.exit_code == 0, result.output
            assert (tables(initialised), uploads(initialised)) == before
            assert revision(initialised) == OLDER_REVISION
        finally:
            with initialised.app_context():
                db.engine.dispose()


def test_restore_moves_the_public_version_past_both(demo_site, empty_app, tmp_path):
    with demo_site.app_context(), db.engine.connect() as connection:
        archived = connection.execute(text("SELECT number FROM public_version")).scalar()
    invoke(demo_site, "backup", tmp_path / "backup.tar")
    with empty_app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE public_version SET number = :n"), {"n": archived + 5})

    invoke(empty_app, "restore", tmp_path / "backup.tar")

    with empty_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT number FROM public_version")).scalar() == (
            archived + 6
        )


def test_restore_of_a_damaged_database_removes_the_files_it_placed(empty_app, tmp_path):
    files = {database_member(): b"not a database", "uploads/materials/a.pdf": b"%PDF-1.4 a"}
    archive = craft(tmp_path / "damaged.tar", files)
    before = tables(empty_app)

    result = invoke(empty_app, "restore", archive)

    refusals = {
        "sqlite": "The database could not be restored: file is not a database",
        "postgresql": "pg_restore failed: pg_restore: error: input file does not appear "
        "to be a valid archive (too short?)",
    }
    assert result.exit_code == 1
    assert result.output == f"Error: {refusals[kind()]}\n"
    assert_nothing_written(empty_app, before)


def test_backup_during_a_burst_of_registrations_and_uploads_restores_whole(
    demo_site, empty_app, tmp_path, monkeypatch
):
    # Uploads through the real form and registrations committed one by one keep coming
    # while the backup runs; the restored site must be whole: every stored version's file
    # there with its hash, the database's own check passing.
    from tests.conftest import csrf_token
    from tests.factories import make_registration
    from tests.uploads.conftest import PDF, upload
    from wenevents import demo
    from wenevents.meetings.models import Meeting

    passwords = {e: p for e, _role, p in demo.reset_demo_passwords()}
    organiser = demo_site.test_client()
    token = csrf_token(organiser.get("/login").text)
    organiser.post("/login", data={"csrf_token": token, "email": "organiser@example.org",
                                   "password": passwords["organiser@example.org"]})  # fmt: skip
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    meeting_id, network_ids = meeting.id, [n.id for n in meeting.networks]
    stop, done, failures = threading.Event(), {"uploads": 0, "registrations": 0}, []
    # A backup of the demo takes a blink: it waits, between the database's snapshot and
    # the copy of the files (the window that matters), for two more of each to land.
    files_of = backups._upload_files

    def slowed(folder):
        landed = dict(done)
        while any(done[key] < landed[key] + 2 for key in done) and not stop.wait(0.01):
            pass
        yield from files_of(folder)

    monkeypatch.setattr(backups, "_upload_files", slowed)

    def uploads_burst():
        while not stop.is_set():
            network = network_ids[done["uploads"] % len(network_ids)]
            content = PDF + os.urandom(2048)
            answer = upload(organiser, "gmwen4", f"sheet-{network}", [(content, "sheet.pdf")])
            if answer.status_code != 303:
                failures.append(answer.status_code)
            done["uploads"] += 1

    def registrations_burst():
        with demo_site.app_context():
            while not stop.is_set():
                n = done["registrations"]
                make_registration(
                    db.session.get(Meeting, meeting_id), email=f"burst{n}@example.org"
                )
                db.session.commit()
                done["registrations"] += 1

    workers = [threading.Thread(target=uploads_burst), threading.Thread(target=registrations_burst)]
    for worker in workers:
        worker.start()
    try:
        while not (done["uploads"] and done["registrations"]):
            stop.wait(0.01)
        before = dict(done)
        result = invoke(demo_site, "backup", tmp_path / "backup.tar.gz")
        during = {key: done[key] - before[key] for key in done}
    finally:
        stop.set()
        for worker in workers:
            worker.join()

    assert result.exit_code == 0, result.output
    assert failures == []
    assert during["uploads"] > 0 and during["registrations"] > 0, during
    restored = invoke(empty_app, "restore", tmp_path / "backup.tar.gz")
    assert restored.exit_code == 0, restored.output
    with empty_app.app_context():
        from wenevents.uploads.targets import file_path

        versions = db.session.scalars(select(DocumentVersion)).all()
        assert len(versions) > 23
        mismatched = [
            v.stored_name
            for v in versions
            if not file_path(v).is_file()
            or hashlib.sha256(file_path(v).read_bytes()).hexdigest() != v.sha256
        ]
        assert mismatched == []
        if kind() == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
