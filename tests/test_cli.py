import os
import socket
import subprocess
import sys
import time

from sqlalchemy import func, inspect, select
from werkzeug.security import check_password_hash

from tests.conftest import free_port
from wenevents.accounts.models import User
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.uploads.models import Document


def test_load_demo_loads_seed_meeting_and_series(runner):
    result = runner.invoke(args=["load-demo"])

    assert result.output.startswith("Demo data loaded.\n")
    acronyms = db.session.scalars(select(Meeting.acronym).order_by(Meeting.number)).all()
    assert acronyms == ["gmwen1", "gmwen2", "gmwen3", "gmwen4"]
    assert db.session.scalar(select(func.count()).select_from(Network)) == 14
    sessions = db.session.execute(
        select(Session.number, Session.is_public).join(Meeting).filter_by(acronym="gmwen4")
    ).all()
    assert sorted(sessions) == [(n, n not in (4, 7)) for n in range(1, 9)]
    kinds = db.session.scalars(
        select(Document.kind).where(Document.network_id.is_(None), Document.kind != "slides")
    )
    assert sorted(kinds) == ["agenda", "press_release", "report"]


def test_load_demo_prints_one_account_per_role_once(runner):
    first = runner.invoke(args=["load-demo"])
    second = runner.invoke(args=["load-demo"])

    lines = [line.split() for line in first.output.splitlines() if "@example.org" in line]
    assert [(role, email) for role, email, _password in lines] == [
        ("organiser", "organiser@example.org"),
        ("focal_point", "focal.point@example.org"),
        ("delegate", "delegate@example.org"),
    ]
    assert all(len(password) == 16 for *_, password in lines)
    assert "@example.org" not in second.output
    user = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
    assert check_password_hash(user.password_hash, lines[0][2])


def test_demo_passwords_refused_without_demo(runner):
    result = runner.invoke(args=["demo-passwords"])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_load_demo_twice_changes_nothing(runner):
    runner.invoke(args=["load-demo"])
    counts = [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Meeting, Network, Session, Document)
    ]

    result = runner.invoke(args=["load-demo"])

    assert result.output == "Demo data already present: nothing changed.\n"
    assert [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Meeting, Network, Session, Document)
    ] == counts


def test_health_fails_when_schema_not_migrated(runner):
    # The fixture made the tables with create_all, not migrations: no alembic version.
    result = runner.invoke(args=["health"])
    assert result.exit_code == 1
    assert "is not at" in result.output


def test_init_db_creates_schema_then_health_passes(tmp_path):
    from tests.conftest import fresh_database
    from wenevents import create_app

    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        runner = app.test_cli_runner()

        init = runner.invoke(args=["init-db"])
        health = runner.invoke(args=["health"])

        assert init.exit_code == 0, init.output
        assert health.output == "ok: database answers, schema current\n"
        with app.app_context():
            assert "meetings" in inspect(db.engine).get_table_names()
            db.engine.dispose()


def test_health_fails_when_database_unreachable(tmp_path):
    from wenevents import create_app

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.sqlite",
        }
    )
    result = app.test_cli_runner().invoke(args=["health"])
    assert result.exit_code == 1
    assert "database: unreachable" in result.output


def _raw(port, request):
    """Send ``request`` bytes; the answer's status line and headers."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(4096)):
            answer += chunk
    return answer.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")


def test_run_answers_without_server_or_python_versions(tmp_path):
    """``make dev``'s server: no ``Server: Werkzeug/… Python/…``, on the app's answers and
    on the server's own error page for a request it cannot read."""
    port = free_port()
    env = {
        **os.environ,
        "WENEVENTS_INSTANCE_PATH": str(tmp_path),
        "WENEVENTS_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-c", "from wenevents.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "run", "--port", str(port)], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                page = _raw(port, b"GET /static/css/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.1)
        missing = _raw(port, b"GET /static/none.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        # A header line longer than the server reads: its own error page, not the app's.
        unreadable = _raw(port, b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()

    for status, answer in (("200", page), ("404", missing), ("431", unreadable)):
        assert answer[0].split()[1] == status, answer
        servers = [line for line in answer if line.lower().startswith("server:")]
        assert servers == ["Server: wenevents"], answer


def test_close_when_sent_closes_the_answer_once_its_last_byte_is_handed_over():
    from wenevents.cli import close_when_sent

    closed = []

    class Answer(list):
        def close(self):
            closed.append(len(sent))

    sent = []
    # What Werkzeug's server does: write every chunk, then drain the socket (which raises
    # when the browser has reset it) and only then close the answer.
    for chunk in close_when_sent(lambda _environ, _start: Answer([b"a", b"b"]))({}, None):
        sent.append(chunk)

    assert sent == [b"a", b"b"]
    assert closed == [2]
