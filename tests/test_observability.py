"""Request ids and logs (wenevents/observability.py): every answer carries an X-Request-ID,
the page cache's front replays and static files too; the logs hold one access line per
request and the request's fields on every record, never a query string, a cookie, a token,
an email address or a name."""

import json
import logging

import pytest
from gunicorn.http.wsgi import FileWrapper
from gunicorn.util import has_fileno

from tests.conftest import make_app
from wenevents import create_app, observability
from wenevents.accounts.models import DELEGATE

UUID_HEX = 32
# A public page the page cache stores, that does not change with the minute.
STORED = "/editions"


@pytest.fixture
def app_config():
    return {"LOG_FORMAT": "json"}


def log_lines(capsys):
    """The JSON log lines written so far (the handler writes to standard error)."""
    err = capsys.readouterr().err
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")], err


def access_lines(lines):
    return [line for line in lines if line["logger"] == "wenevents.access"]


def is_new_id(value):
    return len(value) == UUID_HEX and int(value, 16) >= 0


# The id ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["abc-123", "A.b_c-9", "x" * 64, "0"])
def test_request_id_valid_is_echoed(client, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    assert response.headers["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "x" * 65, "abc\ndef", "abc def", "abc\r\nSet-Cookie: a=b", "<script>", "ünïcode", "a/b"],
)
def test_request_id_invalid_is_replaced(client, sent):
    # Through the environ: the test client refuses some of these as header values.
    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": sent})

    assert response.headers["X-Request-ID"] != sent
    assert is_new_id(response.headers["X-Request-ID"])
    assert response.headers.getlist("X-Request-ID") == [response.headers["X-Request-ID"]]


def test_request_id_without_one_is_new_for_each_request(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert is_new_id(first)
    assert is_new_id(second)
    assert first != second


def test_request_id_on_a_front_replay_is_this_request_s(client, flask_calls):
    recorded = client.get(STORED, headers={"X-Request-ID": "first"})
    replayed = client.get(STORED, headers={"X-Request-ID": "second"})
    fresh = client.get(STORED)

    assert len(flask_calls) == 1
    assert recorded.status_code == replayed.status_code == fresh.status_code == 200
    assert replayed.data == recorded.data
    assert recorded.headers["X-Request-ID"] == "first"
    assert replayed.headers.getlist("X-Request-ID") == ["second"]
    assert is_new_id(fresh.headers["X-Request-ID"])


def test_request_id_on_a_304_from_flask_and_from_the_front(client, flask_calls):
    etag = client.get(STORED).headers["ETag"]
    # Another request to the front (its Accept-Encoding differs): Flask answers it.
    from_flask = client.get(
        STORED,
        headers={"If-None-Match": etag, "Accept-Encoding": "identity", "X-Request-ID": "in-flask"},
    )
    from_front = client.get(STORED, headers={"If-None-Match": etag, "X-Request-ID": "in-front"})

    assert from_flask.status_code == from_front.status_code == 304
    assert from_flask.headers["X-Request-ID"] == "in-flask"
    assert from_front.headers["X-Request-ID"] == "in-front"
    assert len(flask_calls) == 2


def test_request_id_on_a_404(client):
    response = client.get("/no/such/page", headers={"X-Request-ID": "lost-1"})

    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "lost-1"


def test_request_id_on_a_static_file(client):
    response = client.get("/static/css/site.css", headers={"X-Request-ID": "style-1"})

    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "style-1"


def test_request_id_on_a_refused_host(client):
    response = client.get("/healthz", headers={"Host": "evil.example", "X-Request-ID": "h-1"})

    assert response.status_code == 400
    assert response.headers["X-Request-ID"] == "h-1"


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "PROPAGATE_EXCEPTIONS": False}])
def test_request_id_on_a_server_error_and_in_its_log(app, client, capsys):
    def broken():
        raise RuntimeError("broken view")

    app.add_url_rule("/broken", "broken", broken)

    response = client.get("/broken", headers={"X-Request-ID": "err-1"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "err-1"
    lines, _err = log_lines(capsys)
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == "err-1"
    assert error["endpoint"] == "broken"
    assert "RuntimeError: broken view" in error["exception"]
    [access] = access_lines(lines)
    assert (access["status"], access["endpoint"]) == (500, "broken")


def test_request_id_is_none_outside_a_request(app):
    assert observability.request_id() is None


# Log lines -----------------------------------------------------------------------------


def test_log_access_line_is_one_json_object_with_the_request_s_fields(client, capsys):
    capsys.readouterr()

    client.get("/healthz", headers={"X-Request-ID": "acc-1"})

    lines, _err = log_lines(capsys)
    [access] = access_lines(lines)
    assert set(access) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "endpoint",
        "status",
        "duration_ms",
    }
    assert access["level"] == "INFO"
    assert access["request_id"] == "acc-1"
    assert (access["method"], access["path"]) == ("GET", "/healthz")
    assert (access["endpoint"], access["status"]) == ("health.alive", 200)
    assert access["message"] == f"GET /healthz 200 {access['duration_ms']:.1f} ms"
    assert 0 < access["duration_ms"] < 60_000


def test_log_one_access_line_per_request_front_replays_and_404s_too(client, capsys):
    capsys.readouterr()

    client.get(STORED)
    client.get(STORED)
    client.get("/no/such/page")
    client.get("/static/css/site.css")

    [stored, replayed, missing, static] = access_lines(log_lines(capsys)[0])
    assert (stored["endpoint"], stored["status"]) == ("meetings.editions", 200)
    assert (replayed["endpoint"], replayed["status"]) == ("pagecache", 200)
    assert (missing["endpoint"], missing["status"]) == ("other", 404)
    assert (static["endpoint"], static["path"]) == ("static", "/static/css/site.css")


def test_log_never_holds_the_query_string_or_a_cookie(client, capsys):
    capsys.readouterr()
    client.set_cookie("session", "cookie-value-secret")
    client.set_cookie("language", "fr")

    client.get(
        "/networks/?q=query-secret&token=token-secret",
        headers={"Authorization": "Bearer auth-secret", "Referer": "http://x/?ref-secret"},
    )

    lines, err = log_lines(capsys)
    [access] = access_lines(lines)
    assert access["path"] == "/networks/"
    for secret in ("query-secret", "token-secret", "cookie-value-secret", "auth-secret", "ref-"):
        assert secret not in err
    assert "?" not in err


@pytest.mark.parametrize(
    "path", ["/invitations/tok3n-secret-value", "/fr/reset-password/tok3n-secret-value"]
)
def test_log_path_of_an_emailed_link_holds_the_route_not_the_token(client, capsys, path):
    capsys.readouterr()

    client.get(path)

    lines, err = log_lines(capsys)
    [access] = access_lines(lines)
    assert access["path"] == path.rsplit("/", 1)[0] + "/<token>"
    assert "tok3n" not in err


def test_log_signed_in_user_is_their_id_never_their_address_or_name(client, organiser, capsys):
    capsys.readouterr()

    client.get("/account")

    lines, err = log_lines(capsys)
    [access] = access_lines(lines)
    assert access["user_id"] == organiser.id
    assert access["endpoint"] == "accounts.account"
    assert "org@example.org" not in err
    assert "Olga" not in err


def test_log_records_inside_a_request_carry_its_fields(app, client, sign_in_as, capsys):
    def noisy():
        logging.getLogger("wenevents.test").warning("something to note")
        return "ok"

    app.add_url_rule("/noisy", "noisy", noisy)
    delegate = sign_in_as("d@example.org", role=DELEGATE)
    capsys.readouterr()

    delegate.get("/noisy", headers={"X-Request-ID": "in-1"})

    lines, _err = log_lines(capsys)
    [note] = [line for line in lines if line["logger"] == "wenevents.test"]
    assert note["message"] == "something to note"
    assert note["request_id"] == "in-1"
    assert (note["method"], note["path"], note["endpoint"]) == ("GET", "/noisy", "noisy")
    assert isinstance(note["user_id"], int)
    assert "status" not in note
    assert note["duration_ms"] >= 0


def test_log_record_of_a_refused_host_carries_the_request_id(client, capsys):
    capsys.readouterr()

    client.get("/healthz", headers={"Host": "evil.example", "X-Request-ID": "host-1"})

    lines, _err = log_lines(capsys)
    [warning] = [line for line in lines if line["logger"] == "wenevents.security"]
    assert warning["request_id"] == "host-1"
    assert warning["path"] == "/healthz"
    [access] = access_lines(lines)
    assert (access["status"], access["endpoint"]) == (400, "other")


def test_log_records_outside_a_request_have_no_request_fields(app, capsys):
    capsys.readouterr()

    logging.getLogger("wenevents.test").warning("from a command")

    [line] = log_lines(capsys)[0]
    assert set(line) == {"time", "level", "logger", "message"}


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "text"}])
def test_log_text_format_names_the_request(client, capsys):
    capsys.readouterr()

    client.get("/healthz", headers={"X-Request-ID": "txt-1"})

    [line] = [line for line in capsys.readouterr().err.splitlines() if "wenevents.access" in line]
    assert " INFO wenevents.access [txt-1] GET /healthz 200 " in line
    assert line.endswith(" ms (health.alive)")


def test_log_path_with_control_characters_stays_one_line(client, capsys):
    capsys.readouterr()

    client.get("/healthz", environ_overrides={"PATH_INFO": "/a\nfake line\x1b[31m"})

    [access] = access_lines(log_lines(capsys)[0])
    assert access["path"] == "/a\\x0afake line\\x1b[31m"


def test_log_level_warning_writes_no_access_line(tmp_path, capsys):
    with make_app(tmp_path, LOG_LEVEL="warning") as app:
        capsys.readouterr()
        app.test_client().get("/healthz", buffered=True)

        assert "wenevents.access" not in capsys.readouterr().err


@pytest.mark.parametrize("setting", [{"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "LOUD"}])
def test_log_setting_unknown_refuses_to_start(tmp_path, setting):
    with pytest.raises(ValueError, match=next(iter(setting))):
        create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": "http://localhost", **setting})


def test_log_one_handler_however_many_apps(tmp_path, app):
    for _ in range(3):
        create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": "http://localhost"})

    ours = [h for h in logging.getLogger().handlers if isinstance(h, observability._Handler)]
    assert len(ours) == 1


def test_log_development_server_request_line_is_left_out():
    werkzeug = logging.getLogger("werkzeug")
    line = '127.0.0.1 - - [date] "%s" %s %s'
    request_line = werkzeug.makeRecord(
        "werkzeug", logging.INFO, __file__, 1, line, ("GET /?q=x", "200", "-"), None
    )
    banner = werkzeug.makeRecord("werkzeug", logging.INFO, __file__, 1, " * Running on x", (), None)

    assert [f.filter(request_line) for f in werkzeug.filters] == [False]
    assert [f.filter(banner) for f in werkzeug.filters] == [True]


# The middleware alone ------------------------------------------------------------------


def test_observer_keeps_gunicorn_s_file_wrapper_so_it_can_use_sendfile(tmp_path):
    seen = []
    path = tmp_path / "slides.pdf"
    path.write_bytes(b"%PDF-1.7")

    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/pdf")])
        return environ["wsgi.file_wrapper"](path.open("rb"), 4)

    observer = observability.Observer(wsgi_app)
    observer.observers.append(seen.append)
    headers = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/f.pdf", "wsgi.file_wrapper": FileWrapper}

    body = observer(environ, lambda status, h, exc_info=None: headers.extend(h))

    assert isinstance(body, FileWrapper)
    assert has_fileno(body.filelike)
    assert b"".join(body) == b"%PDF-1.7"
    assert seen == []
    body.close()
    [info] = seen
    assert (info.status, info.handler, info.path) == (200, "pagecache", "/f.pdf")
    assert info.duration >= 0
    assert ("X-Request-ID", info.id) in headers
    assert body.filelike.closed
    body.close()
    assert seen == [info]


def test_observer_finishes_a_request_whose_app_raised():
    seen = []

    def wsgi_app(environ, start_response):
        raise RuntimeError("down")

    observer = observability.Observer(wsgi_app)
    observer.observers.append(seen.append)

    with pytest.raises(RuntimeError):
        observer({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda *args: None)

    [info] = seen
    assert info.status == 500
    assert observability.current() is None


def test_log_access_line_formats_with_every_record_field_in_another_handler(client, caplog):
    # The access record is made without Logger.info (it is cheaper): a handler of
    # someone else's, with a format that asks for every field a record has, still works.
    every_field = (
        "%(name)s|%(levelno)s|%(levelname)s|%(pathname)s|%(filename)s|%(module)s|"
        "%(funcName)s|%(lineno)d|%(created)f|%(msecs)d|%(relativeCreated)d|%(thread)d|"
        "%(threadName)s|%(process)d|%(processName)s|%(message)s"
    )
    with caplog.at_level(logging.INFO, logger="wenevents.access"):
        client.get("/healthz", headers={"X-Request-ID": "fmt-1"})

    [record] = [r for r in caplog.records if r.name == "wenevents.access"]
    fields = logging.Formatter(every_field).format(record).split("|")
    assert fields[:9] == [
        "wenevents.access",
        "20",
        "INFO",
        observability.__file__,
        "observability.py",
        "observability",
        "_access_line",
        "0",
        f"{record.created:f}",
    ]
    assert fields[-1] == f"GET /healthz 200 {record.duration_ms:.1f} ms"
    assert (record.request_id, record.status, record.endpoint) == ("fmt-1", 200, "health.alive")
