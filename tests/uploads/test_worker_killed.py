"""A gunicorn worker killed with SIGKILL half-way through an upload: no stored file, no row,
the previous version still served; the temporary file it leaves is invisible and the
cleanup command removes it."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, _hash, free_port, fresh_database
from tests.factories import make_meeting
from wenevents import create_app
from wenevents.accounts.models import ORGANISER, User
from wenevents.extensions import db
from wenevents.uploads.models import Document, DocumentVersion

HOST = "127.0.0.1"
OLD = b"%PDF-1.4\n% version 1\n%%EOF\n"


class Browser:
    """Just enough of a browser: one session cookie, GET and POST over http.client."""

    def __init__(self, port):
        self.port, self.cookie = port, ""

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
        headers = {**(headers or {}), "Cookie": self.cookie}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookie = value.split(";", 1)[0]
        return response.status, data

    def token(self, path):
        _status, page = self.request("GET", path)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)[1].decode()


def multipart_head(token, boundary):
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nen\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="v2.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()


def worker_of(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else None


def wait_for(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path):
    """The app under gunicorn (one sync worker) on a database with an organiser and a
    report whose version 1 is stored; yields (port, gunicorn process, app)."""
    instance = tmp_path / "instance"
    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
        with app.app_context():
            db.create_all()
            user = User(email="org@example.org", role=ORGANISER, password_hash=_hash(PASSWORD))
            db.session.add(user)
            make_meeting(acronym="gm")
            db.session.commit()
            db.engine.dispose()
        port = free_port()
        env = {
            **os.environ,
            "WENEVENTS_INSTANCE_PATH": str(instance),
            "WENEVENTS_DATABASE_URL": url,
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"{HOST}:{port}",
                   "--no-control-socket", "wenevents:create_app()"]  # fmt: skip
        log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: _answers(port))
            yield port, process, app
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
            with app.app_context():
                db.engine.dispose()


def _answers(port):
    try:
        return Browser(port).request("GET", "/login")[0] == 200
    except OSError:
        return False


def test_worker_killed_half_way_leaves_no_file_no_row_and_the_old_version(served):
    port, process, app = served
    browser = Browser(port)
    token = browser.token("/login")
    browser.request(
        "POST",
        "/login",
        f"csrf_token={token}&email=org%40example.org&password={PASSWORD.replace(' ', '+')}",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    boundary = "KILLboundary"
    token = browser.token("/gm/materials/upload")
    body = multipart_head(token, boundary) + OLD + f"\r\n--{boundary}--\r\n".encode()
    status, _page = browser.request(
        "POST", "/gm/materials/upload/report", body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    assert status == 303
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    [stored] = [p.name for p in folder.iterdir()]

    # Version 2: announce 4 MB, send the head and 1 MB, then kill the worker mid-body.
    head = multipart_head(token, boundary)
    total = len(head) + 4 * 1024 * 1024 + len(f"\r\n--{boundary}--\r\n")
    sock = socket.create_connection((HOST, port))
    sock.sendall(
        (
            "POST /gm/materials/upload/report HTTP/1.1\r\n"
            f"Host: {HOST}:{port}\r\nCookie: {browser.cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {total}\r\n\r\n"
        ).encode()
        + head
        + b"%PDF-1.4\n"
        + b"x" * (1024 * 1024)
    )
    temporary = wait_for(lambda: [p for p in folder.iterdir() if p.name.startswith(".incoming-")])
    wait_for(lambda: temporary[0].stat().st_size > 0)
    worker = worker_of(process.pid)
    os.kill(worker, signal.SIGKILL)
    sock.close()
    wait_for(lambda: worker_of(process.pid) not in (None, worker))
    wait_for(lambda: _answers(port))

    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [stored]
    with app.app_context():
        assert db.session.query(Document).count() == 1
        assert [v.number for v in db.session.query(DocumentVersion)] == [1]
        document_id = db.session.query(Document).one().id
        db.session.remove()
    status, data = Browser(port).request("GET", f"/gm/materials/{document_id}")
    assert (status, data) == (200, OLD)

    # The temporary file is what SIGKILL leaves: never served, and cleaned up once old.
    old = time.time() - 7200
    for path in temporary:
        os.utime(path, (old, old))
    result = app.test_cli_runner().invoke(args=["cleanup-uploads"])
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [stored]
