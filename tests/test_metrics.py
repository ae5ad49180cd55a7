"""/metrics (wenevents/metrics.py): for signed-in organisers and the addresses of
METRICS_ALLOW, a 404 for everybody else; every request counted and timed by who answered,
the page cache's front included, with labels that do not grow with the paths asked."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from wenevents import create_app, gunicorn_config, metrics
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.extensions import limiter

ALLOWED = "10.1.2.3"
REQUESTS = "wenevents_http_requests"
LATENCY = "wenevents_http_request_duration_seconds"
# A public page the page cache stores, that does not change with the minute.
STORED = "/editions"
# No route matches it (one segment would name a meeting).
MISSING = "/no/such/page/here"


@pytest.fixture
def app_config():
    return {"METRICS_ALLOW": ["10.0.0.0/8", "2001:db8::/32"]}


def scrape(client, address=ALLOWED):
    response = client.get("/metrics", environ_overrides={"REMOTE_ADDR": address})
    assert response.status_code == 200
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def label_sets(families, name=REQUESTS):
    return {
        tuple(sorted(sample.labels.items()))
        for sample in families[name].samples
        if sample.name == f"{name}_total"
    }


def count(families, endpoint, method="GET", status="2xx"):
    wanted = {"endpoint": endpoint, "method": method, "status": status}
    return sum(
        sample.value
        for sample in families[REQUESTS].samples
        if sample.name == f"{REQUESTS}_total" and sample.labels == wanted
    )


# Who may read them -----------------------------------------------------------------------


def test_metrics_anonymous_gets_the_404_of_a_missing_page(client):
    response = client.get("/metrics")
    missing = client.get("/metricz")

    assert response.status_code == missing.status_code == 404
    assert response.mimetype == "text/html"
    # The same page (its language links name the address asked for).
    assert response.text == missing.text.replace("/metricz", "/metrics")
    assert REQUESTS not in response.text


@pytest.mark.parametrize("role", [DELEGATE, FOCAL_POINT])
def test_metrics_signed_in_other_than_organiser_gets_404(sign_in_as, role):
    browser = sign_in_as(f"{role}@example.org", role=role)

    response = browser.get("/metrics")

    assert response.status_code == 404
    assert REQUESTS not in response.text


def test_metrics_organiser_gets_them_never_stored(organiser_client):
    organiser_client.get("/healthz")

    response = organiser_client.get("/metrics")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "no-store" in response.headers["Cache-Control"]
    assert 'wenevents_http_request_duration_seconds_bucket{endpoint="health.alive"' in response.text


@pytest.mark.parametrize("address", [ALLOWED, "10.255.0.1", "2001:db8::7", "::ffff:10.1.2.3"])
def test_metrics_allowed_address_gets_them_never_stored(client, address):
    response = client.get("/metrics", environ_overrides={"REMOTE_ADDR": address})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f"# TYPE {LATENCY} histogram" in response.text


@pytest.mark.parametrize("address", ["11.0.0.1", "127.0.0.1", "2001:db9::1", "", "not-an-ip"])
def test_metrics_other_address_gets_404(client, address):
    response = client.get("/metrics", environ_overrides={"REMOTE_ADDR": address})

    assert response.status_code == 404


def test_metrics_forwarded_address_counts_only_behind_a_trusted_proxy(tmp_path):
    from tests.conftest import make_app

    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": ALLOWED}
    with make_app(tmp_path / "direct", METRICS_ALLOW=[ALLOWED]) as direct:
        assert direct.test_client().get("/metrics", environ_overrides=forwarded).status_code == 404
    with make_app(tmp_path / "proxied", METRICS_ALLOW=[ALLOWED], TRUSTED_PROXY_COUNT=1) as app:
        assert app.test_client().get("/metrics", environ_overrides=forwarded).status_code == 200


@pytest.mark.parametrize("app_config", [{"METRICS_ALLOW": []}])
def test_metrics_allow_empty_lets_no_address_in(client):
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": ALLOWED}).status_code == 404


def test_metrics_allow_takes_addresses_separated_by_commas():
    assert metrics.allowed_networks("10.1.2.3, 192.168.0.0/16 ::1") == (
        metrics.ipaddress.ip_network("10.1.2.3/32"),
        metrics.ipaddress.ip_network("192.168.0.0/16"),
        metrics.ipaddress.ip_network("::1/128"),
    )


def test_metrics_allow_not_an_address_refuses_to_start(tmp_path):
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "PUBLIC_URL": "http://localhost",
                "METRICS_ALLOW": ["10.0.0.0/8", "everyone"],
            }
        )


@pytest.fixture
def default_limits():
    """Flask-Limiter keeps the first default limits it is given for every later app of the
    process: put back what there was."""
    manager = limiter.limit_manager
    saved = manager._default_limits
    yield
    manager.set_default_limits(saved)


@pytest.mark.parametrize(
    "app_config", [{"METRICS_ALLOW": [ALLOWED], "RATELIMIT_DEFAULT": "2 per hour"}]
)
def test_metrics_are_exempt_from_rate_limits(default_limits, client):
    assert client.get(STORED).status_code == 200
    assert client.get(STORED).status_code == 200
    assert client.get(STORED).status_code == 429
    for _ in range(5):
        scrape(client)


# What they count -----------------------------------------------------------------------


def test_metrics_count_requests_by_endpoint_method_and_status_class(client):
    before = scrape(client)

    client.get("/healthz")
    client.get("/healthz")
    client.post("/healthz")
    client.get("/static/css/site.css")
    client.get(MISSING)

    after = scrape(client)
    assert count(after, "health.alive") - count(before, "health.alive") == 2
    assert count(after, "other", "POST", "4xx") - count(before, "other", "POST", "4xx") == 1
    assert count(after, "static") - count(before, "static") == 1
    assert count(after, "other", "GET", "4xx") - count(before, "other", "GET", "4xx") == 1
    # The scrape before this one was counted once it had gone.
    assert count(after, "metrics.metrics") - count(before, "metrics.metrics") == 1


def test_metrics_histogram_times_each_request(client):
    def observed(families):
        return {
            sample.name.removeprefix(LATENCY): sample.value
            for sample in families[LATENCY].samples
            if sample.labels.get("endpoint") == "health.alive" and "le" not in sample.labels
        }

    before = observed(scrape(client))
    client.get("/healthz")
    after = observed(scrape(client))

    assert after["_count"] - before.get("_count", 0) == 1
    assert 0 < after["_sum"] - before.get("_sum", 0) < 60


def test_metrics_front_replays_are_labelled_pagecache(client):
    client.get(STORED)
    before = scrape(client)

    client.get(STORED)
    client.get(STORED)

    after = scrape(client)
    assert count(after, "pagecache") - count(before, "pagecache") == 2
    assert count(after, "meetings.editions") == count(before, "meetings.editions")


def random_path():
    return f"/{uuid.uuid4().hex}/{uuid.uuid4().hex}/{uuid.uuid4().hex}"


def random_method():
    return uuid.uuid4().hex[:8].upper()


def test_metrics_labels_do_not_grow_with_random_paths(client):
    client.get(random_path())
    client.open(random_path(), method=random_method())
    families = scrape(client)
    before = label_sets(families), label_sets(families, LATENCY)

    for _ in range(50):
        assert client.get(random_path()).status_code == 404
        assert client.open(random_path(), method=random_method()).status_code == 404

    families = scrape(client)
    assert (label_sets(families), label_sets(families, LATENCY)) == before
    assert {
        (("endpoint", "other"), ("method", "GET"), ("status", "4xx")),
        (("endpoint", "other"), ("method", "other"), ("status", "4xx")),
    } <= before[0]


# Gauges from other parts of the app ---------------------------------------------------


@pytest.fixture
def sources(monkeypatch):
    """The registered gauge sources, emptied for the test and restored after it."""
    registered = {}
    monkeypatch.setattr(metrics, "_SOURCES", registered)
    return registered


def test_metrics_gauge_source_by_label_and_alone(client, sources):
    metrics.register_gauge_source(
        "wenevents_test_queue", "Messages by status.", lambda: {"queued": 3, "failed": 1}
    )
    metrics.register_gauge_source("wenevents_test_oldest_seconds", "Age.", lambda: 12.5)

    families = scrape(client)

    queue = families["wenevents_test_queue"]
    assert queue.type == "gauge"
    assert queue.documentation == "Messages by status."
    assert {s.labels["status"]: s.value for s in queue.samples} == {"queued": 3, "failed": 1}
    [oldest] = families["wenevents_test_oldest_seconds"].samples
    assert (oldest.labels, oldest.value) == ({}, 12.5)


def test_metrics_gauge_source_that_fails_leaves_the_others(client, sources):
    def broken():
        raise RuntimeError("database gone")

    metrics.register_gauge_source("wenevents_test_broken", "Broken.", broken)
    metrics.register_gauge_source("wenevents_test_not_a_number", "Odd.", lambda: {"a": "many"})
    metrics.register_gauge_source("wenevents_test_fine", "Fine.", lambda: {"a": 1}, label="kind")

    families = scrape(client)

    assert "wenevents_test_broken" not in families
    assert "wenevents_test_not_a_number" not in families
    assert [s.labels for s in families["wenevents_test_fine"].samples] == [{"kind": "a"}]


def test_metrics_gauge_source_registered_again_replaces_it(client, sources):
    metrics.register_gauge_source("wenevents_test_twice", "First.", lambda: 1)
    metrics.register_gauge_source("wenevents_test_twice", "Second.", lambda: 2)

    [sample] = scrape(client)["wenevents_test_twice"].samples
    assert sample.value == 2


@pytest.mark.parametrize(("name", "label"), [("has space", "status"), ("ok_name", "bad-label")])
def test_metrics_gauge_source_bad_name_is_refused(sources, name, label):
    with pytest.raises(ValueError, match="not a Prometheus"):
        metrics.register_gauge_source(name, "Doc.", lambda: 1, label=label)
    assert sources == {}


# Several worker processes -------------------------------------------------------------

# One worker: a request for /healthz, then (when asked) the metrics of every worker.
WORKER = """
import sys
from wenevents import create_app
app = create_app({"INSTANCE_PATH": sys.argv[1], "PUBLIC_URL": "http://localhost",
                  "METRICS_ALLOW": ["127.0.0.1"], "LOG_LEVEL": "WARNING"})
client = app.test_client()
client.get("/healthz", buffered=True)
if sys.argv[2] == "scrape":
    print(client.get("/metrics", environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
                     buffered=True).text)
"""


def test_metrics_with_a_multiprocess_dir_add_up_every_worker(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    root = Path(__file__).resolve().parent.parent

    def worker(then):
        return subprocess.run(
            [sys.executable, "-c", WORKER, str(tmp_path / "instance"), then],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    worker("exit")
    text = worker("scrape")

    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert count(families, "health.alive") == 2
    assert len(list(folder.glob("*.db"))) >= 2


def test_gunicorn_child_exit_forgets_the_worker_s_live_gauges(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    live = tmp_path / "gauge_livesum_4242.db"
    kept = tmp_path / "counter_4242.db"
    live.write_bytes(b"")
    kept.write_bytes(b"")

    gunicorn_config.child_exit(SimpleNamespace(), SimpleNamespace(pid=4242))

    assert not live.exists()
    assert kept.exists()


def test_metrics_multiprocess_dir_is_emptied_before_the_workers_start(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "counter_1.db").write_bytes(b"")
    (tmp_path / "histogram_2.db").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not ours")

    metrics.clear_multiprocess_dir()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_metrics_without_a_multiprocess_dir_clear_touches_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "counter_1.db").write_bytes(b"")

    metrics.clear_multiprocess_dir()
    gunicorn_config.child_exit(SimpleNamespace(), SimpleNamespace(pid=1))

    assert (tmp_path / "counter_1.db").exists()
