"""Prometheus metrics, served at ``/metrics`` to signed-in organisers and to the client
addresses of ``METRICS_ALLOW``; everybody else gets the 404 of a page that does not exist.

Every request is counted and timed by ``observability.Observer`` (the outermost WSGI
middleware, so the page cache's front replays count too), labelled by who answered: the
Flask endpoint, ``pagecache`` for the front's replays, ``other`` where no route matched
(the raw path never: its values are endless). The method and the status class complete the
labels.

With several gunicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder: each
worker writes its counts there and ``/metrics`` adds them up (gunicorn_config.py empties it
at start and tells it when a worker exits).

Other parts of the app add gauges computed when ``/metrics`` is read, with one call:
``register_gauge_source(name, documentation, fn)``.
"""

import ipaddress
import logging
import os
import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, has_app_context, request
from flask_login import current_user
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from wenevents.extensions import db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

LABELS = ("endpoint", "method", "status")
# Any other method is "other": a client may send any word there.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From a stored page (a fraction of a millisecond) to a long upload.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

# Once per process: every app of the process (tests make many) counts into these.
REQUESTS = Counter(
    "wenevents_http_requests",
    "Requests answered, by endpoint (pagecache: replayed by the page cache's front; other: "
    "no route matched), method and status class.",
    LABELS,
)
LATENCY = Histogram(
    "wenevents_http_request_duration_seconds",
    "Time from a request's arrival until its answer was sent, by endpoint, method and "
    "status class.",
    LABELS,
    buckets=BUCKETS,
)


# (counter, histogram) of each label set seen: ``labels()`` validates its values on every
# call, a cost every stored page paid twice. The label values are bounded (see LABELS).
_children = {}


def observe(info):
    """Count and time one finished request (an ``observability.RequestInfo``)."""
    labels = (info.handler, info.method if info.method in METHODS else "other", _class(info))
    children = _children.get(labels)
    if children is None:
        children = _children[labels] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(info.duration)


def _class(info):
    status = info.status or 500
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


# Gauges from other parts of the app ---------------------------------------------------

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_SOURCES = {}


def register_gauge_source(name, documentation, fn, label="status"):
    """Expose ``fn()``'s answer as the gauge ``name`` each time ``/metrics`` is read.

    ``fn()`` returns a number, or a dict ``{label value: number}`` (one sample each,
    labelled ``label``). It runs in the request for ``/metrics`` (an app context, the
    database session at hand); when it raises, its gauge is left out and the error logged.
    Registering a name again replaces it (each app of the process registers its own).
    """
    if not _NAME.fullmatch(name) or not _LABEL.fullmatch(label) or label.startswith("__"):
        raise ValueError(f"not a Prometheus metric or label name: {name!r}, {label!r}")
    _SOURCES[name] = (documentation, fn, label)


class _GaugeSources:
    """A collector of every registered gauge source."""

    def describe(self):
        # Names come and go with registrations: nothing to check at registration.
        return []

    def collect(self):
        for name, (documentation, fn, label) in list(_SOURCES.items()):
            try:
                family = _family(name, documentation, fn(), label)
            except Exception:  # one broken source must not hide the others
                log.exception("gauge source %s failed", name)
                if has_app_context():
                    db.session.rollback()
                continue
            yield family


def _family(name, documentation, values, label):
    if not isinstance(values, dict):
        return GaugeMetricFamily(name, documentation, value=float(values))
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items(), key=lambda item: str(item[0])):
        family.add_metric([str(key)], float(value))
    return family


GAUGES = _GaugeSources()
REGISTRY.register(GAUGES)


# Several worker processes -------------------------------------------------------------


def multiprocess_dir():
    """``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus-client when first imported), or
    None: each process then counts in its own memory."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def clear_multiprocess_dir():
    """Before the workers start: last run's counts would be added to this run's."""
    folder = multiprocess_dir()
    if folder:
        for path in Path(folder).glob("*.db"):
            path.unlink(missing_ok=True)


def worker_exited(pid):
    """A worker is gone: its live gauges leave with it (its counts stay in the sums)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def _registry():
    if not multiprocess_dir():
        return REGISTRY
    from prometheus_client import multiprocess

    # Every worker's files, added up; the gauge sources asked here, once.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(GAUGES)
    return registry


# The page ------------------------------------------------------------------------------


def init_app(app):
    """Count every request the observer sees and serve ``/metrics``. After
    ``observability.init_app``."""
    app.extensions["metrics_allow"] = allowed_networks(app.config["METRICS_ALLOW"])
    app.extensions["observability"].observers.append(observe)
    app.register_blueprint(bp)


def allowed_networks(value):
    """METRICS_ALLOW as networks: a list, or addresses and networks separated by commas."""
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    networks = []
    for entry in value or ():
        text = str(entry).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as error:
            raise ValueError(f"METRICS_ALLOW: {error}") from None
    return tuple(networks)


def _address_allowed():
    """Whether the client's address (as the app resolves it: behind TRUSTED_PROXY_COUNT
    proxies, from X-Forwarded-For) is in METRICS_ALLOW."""
    networks = current_app.extensions["metrics_allow"]
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The metrics in Prometheus' text format, never stored by any cache."""
    # The address first: the scraper is never asked to sign in, and costs no query.
    if not (_address_allowed() or (current_user.is_authenticated and current_user.is_organiser)):
        abort(404)
    response = Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    response.cache_control.no_store = True
    return response
