"""The real nginx in front of a gunicorn instance, as deploy/nginx.conf sets uploads up: nginx
stores the upload's body in a file (client_body_in_file_only) and names it to the app,
which reads it from there (UPLOAD_BODY_DIR). What a client puts in that header never
reaches the app, and nginx removes its file once answered.

nginx comes from Debian's packages (``make test-deps`` installs it with Chromium).
"""

import hashlib
import http.client
import os
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from benchmarks import bench, servers
from tests.conftest import free_port
from tests.uploads.conftest import browser_form
from wenevents import create_app, demo
from wenevents.extensions import db
from wenevents.uploads.models import Document, DocumentVersion

HOST = "127.0.0.1"
MB = 1024 * 1024
KEY = "k" * 40


class Front:
    def __init__(self, app, port, cookie, token, body_dir):
        self.app, self.port, self.cookie, self.token = app, port, cookie, token
        self.body_dir = body_dir

    def post(self, path, fields, files, headers=None):
        """POST a form to nginx as a browser does: (status, Location)."""
        body, content_type = browser_form(
            [("csrf_token", self.token), *fields], [("files", c, n) for c, n in files]
        )
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={"Cookie": self.cookie, "Content-Type": content_type, **(headers or {})},
            )
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location")
        finally:
            connection.close()

    def report_versions(self, language="en"):
        """(size, sha256, file's bytes) of each stored version of the meeting's report."""
        with self.app.app_context():
            rows = db.session.execute(
                select(DocumentVersion)
                .join(Document)
                .where(Document.kind == "report", Document.language == language)
                .order_by(DocumentVersion.id)
            ).scalars()
            folder = Path(self.app.config["UPLOAD_DIR"]) / "materials"
            return [(v.size, v.sha256, (folder / v.stored_name).read_bytes()) for v in rows]


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    if servers.nginx() is None:
        pytest.fail("nginx is not installed: make test-deps (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("nginx-front")
    instance = tmp / "instance"
    url = f"sqlite:///{tmp / 'front.sqlite'}"
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        demo.load()
        session_cookie = bench.organiser_cookie(app)
        db.engine.dispose()
    body_dir = tmp / "nginx-body"
    body_dir.mkdir()
    env = {
        **os.environ,
        "WENEVENTS_INSTANCE_PATH": str(instance),
        "WENEVENTS_DATABASE_URL": url,
        "WENEVENTS_UPLOAD_BODY_DIR": str(body_dir),
        "WENEVENTS_UPLOAD_BODY_KEY": KEY,
    }
    with bench.serve(env, tmp / "gunicorn.log", workers=1) as port:
        cookie = f"{app.config['SESSION_COOKIE_NAME']}={session_cookie}"
        cookie, token = bench.upload_token(port, cookie)
        nginx_port = free_port()
        with servers.nginx_front(port, body_dir, KEY, tmp / "nginx", nginx_port):
            yield Front(app, nginx_port, cookie, token, body_dir)


def pdf(size, seed):
    """A PDF-looking file of ``size`` bytes, different for each ``seed``."""
    block = hashlib.sha256(seed.encode()).digest() * 32
    return (b"%PDF-1.4\n" + block * (size // len(block) + 1))[:size]


def body_files(front, expected, seconds=5.0):
    """The names in nginx's body folder once they are ``expected`` (or ``seconds`` passed):
    nginx removes a body's file as it finishes the request, which its client may see
    answered a moment before (under load, a test looked first)."""
    deadline = time.monotonic() + seconds
    while (names := sorted(p.name for p in front.body_dir.iterdir())) != expected:
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return names


def test_upload_through_nginx_is_stored_whole_from_the_body_file(front):
    content = pdf(3 * MB, "through nginx")
    before = front.report_versions()

    status, location = front.post(
        f"/{bench.ACRONYM}/materials/upload/report", [("language", "en")], [(content, "r.pdf")]
    )

    assert (status, location) == (303, f"/{bench.ACRONYM}/materials/upload#target-report-outcome")
    assert front.report_versions()[len(before) :] == [
        (len(content), hashlib.sha256(content).hexdigest(), content)
    ]
    # nginx removed its copy of the body once the app had answered.
    assert body_files(front, []) == []


def test_upload_through_nginx_ignores_a_body_file_header_the_client_sent(front):
    # Another upload's body, waiting in nginx's folder: a client naming it gets its own.
    planted = front.body_dir / "0000009999"
    planted.write_bytes(b"--x\r\nnot this one\r\n--x--\r\n")
    sent = [pdf(200_000, "the client's own"), pdf(300_000, "and in French")]
    before = front.report_versions("fr")

    for path, content in zip(
        (
            f"/{bench.ACRONYM}/materials/upload/report",
            f"/fr/{bench.ACRONYM}/materials/upload/report",
        ),
        sent,
        strict=True,
    ):
        status, _location = front.post(
            path,
            [("language", "fr")],
            [(content, "r.pdf")],
            headers={"X-Wenevents-Body-File": str(planted)},
        )
        assert status == 303

    assert front.report_versions("fr")[len(before) :] == [
        (len(c), hashlib.sha256(c).hexdigest(), c) for c in sent
    ]
    assert body_files(front, ["0000009999"]) == ["0000009999"]
    planted.unlink()
