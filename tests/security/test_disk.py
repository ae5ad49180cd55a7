"""Filling the disk, as an attacker would: one delegate storing version after version,
one address registering again and again with files, uploads racing for the last of a
quota, a focal point deleting someone else's versions. Afterwards no file is left on disk
that no row names, and no row names a file that is not there.

The races run against gunicorn (one worker, eight threads: concurrent requests, each with
its own database connection) on the test's own database, SQLite or PostgreSQL.
"""

import io
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import PASSWORD, audit_entries, csrf_token, free_port
from tests.registration import conftest as registration_suite
from tests.registration.conftest import form_data, registration_of
from tests.uploads import conftest as uploads
from tests.uploads.conftest import registration, slot, upload, versions_of
from tests.uploads.test_worker_killed import Browser, wait_for
from wenevents.accounts.models import FOCAL_POINT
from wenevents.extensions import db
from wenevents.registration.models import WITHDRAWN, Registration
from wenevents.uploads.models import DocumentVersion

world = uploads.world
people = uploads.people
make_registration_meeting = registration_suite.make_registration_meeting
settings_overrides = registration_suite.settings_overrides
meeting = registration_suite.meeting
register = registration_suite.register
letter = registration_suite.letter

PERSON, NETWORK = 10 * 1024, 20 * 1024


@pytest.fixture
def app_config():
    return {
        "UPLOAD_QUOTA_PER_PERSON": PERSON,
        "UPLOAD_QUOTA_PER_NETWORK": NETWORK,
        "REGISTRATION_LIMIT": "10000 per hour",
        "REGISTRATION_FILE_MAX_BYTES": 4096,
    }


def pdf(size, tag):
    """A PDF of exactly ``size`` bytes, different for each ``tag``."""
    head = b"%PDF-1.4\n% " + str(tag).encode() + b"\n"
    return head + b"x" * (size - len(head))


def files_on_disk(app, folder=None):
    """Every file under the upload folder (or one of its folders), as paths relative to it."""
    root = Path(app.config["UPLOAD_DIR"])
    base = root / folder if folder else root
    if not base.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in base.rglob("*") if p.is_file())


def named_by_rows():
    """Every file a row names, as paths relative to the upload folder."""
    db.session.expire_all()
    materials = {f"materials/{n}" for n in db.session.scalars(select(DocumentVersion.stored_name))}
    answers = set()
    for row in db.session.scalars(select(Registration.answers)):
        for value in (row or {}).values():
            if isinstance(value, dict):
                answers.add(f"registrations/{value['file']}")
    return materials | answers


def assert_disk_matches_rows(app):
    """No file without a row, no temporary file left, no row without its file."""
    assert files_on_disk(app) == sorted(named_by_rows())


# -- One person, many versions -------------------------------------------------------------


def test_one_delegate_storing_30_versions_stops_at_the_quota(app, client, auth, world, people):
    registration(people["delegate"], world, world.naweg, "approved")
    auth.login("delegate@example.org")
    ref = f"slides-{world.item_a.id}"

    statuses = [
        upload(client, "gm", ref, [(pdf(1024, n), f"v{n}.pdf")], htmx=n % 2 == 1).status_code
        for n in range(30)
    ]

    assert statuses == [303, 200] * 5 + [422] * 20
    assert len(versions_of(world.meeting)) == 10
    stored = Path(app.config["UPLOAD_DIR"]) / "materials"
    assert sum(p.stat().st_size for p in stored.iterdir()) == PERSON
    assert_disk_matches_rows(app)


def test_a_network_whose_people_each_stay_in_their_quota_stops_at_its_own(
    app, client, auth, world, people, make_user
):
    focal_points = [
        make_user(f"fp{n}@naweg.example.org", FOCAL_POINT, networks=[world.naweg]) for n in range(3)
    ]
    ref = f"sheet-{world.naweg.id}"
    statuses = []
    for n, person in enumerate(focal_points):
        auth.login(person.email)
        for m in range(8):
            response = upload(client, "gm", ref, [(pdf(1024, f"{n}-{m}"), f"{n}-{m}.pdf")])
            statuses.append(response.status_code)
        auth.logout()

    assert statuses.count(303) == 20
    assert len(versions_of(world.meeting, "information_sheet")) == 20
    assert_disk_matches_rows(app)


# -- One address, many registrations ----------------------------------------------------------


def test_repeat_anonymous_registrations_of_one_address_store_one_file(
    app, meeting, letter, register
):
    for n in range(20):
        response = register(
            app.test_client(),
            email="ana@example.org",
            **{f"q{letter.id}": (io.BytesIO(pdf(1000, n)), f"letter{n}.pdf")},
        )
        assert response.status_code == 200

    answer = registration_of(meeting, "ana@example.org").answers[str(letter.id)]
    assert answer["name"] == "letter0.pdf"
    assert files_on_disk(app) == [f"registrations/{answer['file']}"]


def test_withdrawn_address_registering_again_and_again_keeps_one_file(
    app, meeting, letter, register
):
    register(
        app.test_client(),
        email="ana@example.org",
        **{f"q{letter.id}": (io.BytesIO(pdf(1000, "first")), "first.pdf")},
    )
    row = registration_of(meeting, "ana@example.org")
    row.status = WITHDRAWN
    db.session.commit()

    for n in range(5):
        response = register(
            app.test_client(),
            email="ana@example.org",
            **{f"q{letter.id}": (io.BytesIO(pdf(1000, n)), f"again{n}.pdf")},
        )
        assert response.status_code == 200

    answer = registration_of(meeting, "ana@example.org").answers[str(letter.id)]
    assert answer["name"] == "again0.pdf"  # renewed once; the others are repeats
    assert files_on_disk(app) == [f"registrations/{answer['file']}"]


# -- Someone else's versions ------------------------------------------------------------------


def test_focal_point_deleting_another_networks_version_gets_403_and_is_audited(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(client, "gm", ref, [(pdf(500, 1), "v1.pdf")])
    upload(client, "gm", ref, [(pdf(500, 2), "v2.pdf")])
    document = slot(world.meeting)
    before = files_on_disk(app)
    auth.logout()
    auth.login("fp@latf.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)
    url = f"/gm/materials/{document.id}/versions/%d/delete"

    asked = client.get(url % 1)
    deleted = client.post(url % 1, data={"csrf_token": token})
    current = client.post(url % 2, data={"csrf_token": token})
    missing = client.post(url % 99, data={"csrf_token": token})
    bulk = client.post("/manage/gm/materials/prune", data={"csrf_token": token})

    assert [r.status_code for r in (asked, deleted, current, missing, bulk)] == [403] * 5
    assert [v.number for v in versions_of(world.meeting)] == [1, 2]
    assert files_on_disk(app) == before
    refused = f"delete version %d of materials {document.id} of gm"
    assert [(e.summary, e.actor_email) for e in audit_entries("access.denied")] == [
        (refused % 1, "fp@latf.example.org"),
        (refused % 1, "fp@latf.example.org"),
        (refused % 2, "fp@latf.example.org"),
        (refused % 99, "fp@latf.example.org"),
        ("organiser page prune", "fp@latf.example.org"),
    ]
    assert audit_entries("materials.pruned") == []


def test_focal_point_deleting_their_delegates_version_gets_403(app, client, auth, world, people):
    registration(people["delegate"], world, world.naweg, "approved")
    ref = f"slides-{world.item_a.id}"
    auth.login("delegate@example.org")
    upload(client, "gm", ref, [(pdf(500, 1), "delegate.pdf")])
    auth.logout()
    auth.login("fp@naweg.example.org")
    upload(client, "gm", ref, [(pdf(500, 2), "fp.pdf")])
    document = slot(world.meeting)
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        f"/gm/materials/{document.id}/versions/1/delete", data={"csrf_token": token}
    )

    assert response.status_code == 403
    assert [v.number for v in versions_of(world.meeting)] == [1, 2]
    assert len(audit_entries("access.denied")) == 1


def test_deleting_a_version_through_another_meetings_address_is_404(
    app, client, auth, world, people
):
    from tests.factories import make_meeting

    make_meeting(acronym="other")
    auth.login("org@example.org")
    upload(client, "gm", "report", [(pdf(500, 1), "v1.pdf")])
    upload(client, "gm", "report", [(pdf(500, 2), "v2.pdf")])
    document = slot(world.meeting, "report")
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        f"/other/materials/{document.id}/versions/1/delete", data={"csrf_token": token}
    )

    assert response.status_code == 404
    assert [v.number for v in versions_of(world.meeting, "report")] == [1, 2]


# -- Races, under gunicorn --------------------------------------------------------------------


@pytest.fixture
def served(app, tmp_path, app_config):
    """The test's app and database, served by gunicorn; yields its port."""
    db.session.commit()
    port = free_port()
    env = {
        **os.environ,
        "WENEVENTS_INSTANCE_PATH": app.instance_path,
        "WENEVENTS_DATABASE_URL": app.config["DATABASE_URL"],
        "WENEVENTS_SECRET_KEY": "test-secret-key",
        **{f"WENEVENTS_{key}": json.dumps(value) for key, value in app_config.items()},
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "8", "--bind",
               f"127.0.0.1:{port}", "--no-control-socket", "wenevents:create_app()"]  # fmt: skip
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _answers(port))
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _answers(port):
    try:
        return Browser(port).request("GET", "/login")[0] == 200
    except OSError:
        return False


def signed_in(port, email):
    browser = Browser(port)
    token = browser.token("/login")
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    status, _page = browser.request(
        "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 303, status
    return browser


def multipart(fields, files):
    """``(body, content type)`` of a form with ``fields`` and ``files`` ({name: (bytes, file
    name)})."""
    parts = MultiDict(fields)
    for name, (content, filename) in files.items():
        parts.add(name, FileStorage(io.BytesIO(content), filename=filename))
    boundary, body = encode_multipart(parts)
    return body, f"multipart/form-data; boundary={boundary}"


def at_once(requests):
    """Run each ``request()`` in its own thread, released together; their results."""
    start = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(n, request):
        start.wait()
        results[n] = request()

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def upload_request(browser, cookie, token, ref, content, name):
    def send():
        copy = Browser(browser.port)
        copy.cookie = cookie
        body, content_type = multipart(
            {"csrf_token": token, "language": "en"}, {"files": (content, name)}
        )
        return copy.request(
            "POST", f"/gm/materials/upload/{ref}", body, {"Content-Type": content_type}
        )[0]

    return send


def test_concurrent_uploads_of_one_person_cannot_pass_the_quota_together(
    app, world, people, served
):
    browser = signed_in(served, "fp@naweg.example.org")
    token = browser.token("/gm/materials/upload")
    ref = f"slides-{world.item_a.id}"

    statuses = at_once(
        [
            upload_request(browser, browser.cookie, token, ref, pdf(PERSON // 3, n), f"{n}.pdf")
            for n in range(8)
        ]
    )

    assert sorted(statuses) == [303] * 3 + [422] * 5
    assert len(versions_of(world.meeting)) == 3
    assert_disk_matches_rows(app)


def test_concurrent_uploads_of_one_network_cannot_pass_its_quota_together(
    app, world, people, make_user, served
):
    senders = []
    for n in range(4):
        make_user(f"fp{n}@naweg.example.org", FOCAL_POINT, networks=[world.naweg])
        browser = signed_in(served, f"fp{n}@naweg.example.org")
        token = browser.token("/gm/materials/upload")
        senders.append((browser, browser.cookie, token))
    ref = f"sheet-{world.naweg.id}"
    size = NETWORK // 3

    statuses = at_once(
        [
            upload_request(browser, cookie, token, ref, pdf(size, f"{n}-{m}"), f"{n}-{m}.pdf")
            for n, (browser, cookie, token) in enumerate(senders)
            for m in range(2)
        ]
    )

    assert sorted(statuses) == [303] * 3 + [422] * 5
    assert len(versions_of(world.meeting, "information_sheet")) == 3
    assert_disk_matches_rows(app)


def registration_request(port, meeting, letter, email, tag):
    # Read here: the threads have no application context.
    page, fields, name = (
        f"/{meeting.acronym}/register",
        form_data(meeting, email=email),
        f"q{letter.id}",
    )

    def send():
        browser = Browser(port)
        token = browser.token(page)
        body, content_type = multipart(
            {"csrf_token": token, **fields}, {name: (pdf(1000, tag), f"{tag}.pdf")}
        )
        return browser.request("POST", page, body, {"Content-Type": content_type})[0]

    return send


def test_one_address_registering_ten_times_at_once_stores_one_file(app, meeting, letter, served):
    statuses = at_once(
        [registration_request(served, meeting, letter, "ana@example.org", n) for n in range(10)]
    )

    assert statuses == [200] * 10
    assert len(files_on_disk(app, "registrations")) == 1
    assert_disk_matches_rows(app)


def test_a_withdrawn_address_registering_again_at_once_is_renewed_once(
    app, meeting, letter, register, served
):
    register(
        app.test_client(),
        email="ana@example.org",
        **{f"q{letter.id}": (io.BytesIO(pdf(1000, "first")), "first.pdf")},
    )
    row = registration_of(meeting, "ana@example.org")
    row.status = WITHDRAWN
    db.session.commit()

    statuses = at_once(
        [registration_request(served, meeting, letter, "ana@example.org", n) for n in range(6)]
    )

    assert statuses == [200] * 6
    renewed = registration_of(meeting, "ana@example.org")
    assert renewed.status == "unconfirmed"
    assert [e.note for e in renewed.events].count("Registered again") == 1
    assert len(files_on_disk(app, "registrations")) == 1
    assert_disk_matches_rows(app)


# -- Everything together ----------------------------------------------------------------------


def test_after_uploads_refusals_prunes_and_registrations_every_file_has_its_row(
    app, client, auth, world, people, meeting, letter, register
):
    ref = f"slides-{world.item_a.id}"
    auth.login("fp@naweg.example.org")
    for n in range(14):  # 10 fit, 4 are refused
        upload(client, "gm", ref, [(pdf(1024, n), f"v{n}.pdf")])
    upload(client, "gm", ref, [(pdf(1024, 0), "v0.pdf")])  # a restore: no new file
    document = slot(world.meeting)
    page = client.get(f"/gm/materials/{document.id}/versions/2/delete").text
    client.post(
        f"/gm/materials/{document.id}/versions/2/delete", data={"csrf_token": csrf_token(page)}
    )
    upload(client, "gm", ref, [(b"<svg onload=alert(1)>", "x.pdf")])  # refused by kind
    auth.logout()
    auth.login("org@example.org")
    upload(client, "gm", "report", [(pdf(2048, "r1"), "r1.pdf")])
    upload(client, "gm", "report", [(pdf(2048, "r2"), "r2.pdf")])
    page = client.get("/manage/gm/materials/prune").text
    client.post("/manage/gm/materials/prune", data={"csrf_token": csrf_token(page)})
    for n in range(3):
        register(
            app.test_client(),
            email="ana@example.org",
            **{f"q{letter.id}": (io.BytesIO(pdf(1000, n)), f"l{n}.pdf")},
        )

    assert_disk_matches_rows(app)
    assert [v.number for v in versions_of(world.meeting)] == [11]
    assert len(files_on_disk(app, "materials")) == 2
