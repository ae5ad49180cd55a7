"""gunicorn's settings for wenevents: ``gunicorn -c python:wenevents.gunicorn_config …``.

Every documented gunicorn command uses it (README, ``make bench``). Its start-up hook
refuses several worker processes with rate limits counted in process memory (the default
``memory://``): each worker would keep its own counts, and an attacker's wrong passwords
spread over the workers would get several times the allowance. Use Redis
(``RATELIMIT_STORAGE_URL=redis://…``), or one worker.

With ``PROMETHEUS_MULTIPROC_DIR`` set, the workers' metrics are added up from files in that
folder (wenevents/metrics.py): it is emptied at start, and told when a worker exits.
"""

import gc
import sys

# No control socket in ~/.gunicorn (gunicorn 25+), shared between instances on one host.
control_socket_disable = True


def on_starting(server):
    """Refuse ``--workers`` > 1 with ``memory://`` rate-limit storage, before any fork;
    empty the metrics folder of the last run."""
    from wenevents import create_app, metrics

    metrics.clear_multiprocess_dir()

    config = create_app().config
    problem = limits_problem(server.cfg.workers, config)
    if problem:
        server.log.error(problem)
        sys.exit(problem)


def post_worker_init(worker):
    """The app is loaded: what it holds for good (modules, the URL map, the models' metadata,
    some 200,000 objects) goes out of the garbage collector's sight. Each full collection
    walked them all, a pause of some milliseconds that fell on whichever request was
    running; a signed-in page paid about 1.8 ms a request on average, 0.3 ms after."""
    gc.freeze()


def child_exit(server, worker):
    """A worker is gone: prometheus-client forgets its live gauges."""
    from wenevents import metrics

    metrics.worker_exited(worker.pid)


def limits_problem(workers, config):
    """Why this many workers cannot share ``config``'s rate limits, or None."""
    storage = str(config["RATELIMIT_STORAGE_URI"])
    if workers > 1 and config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://"):
        return (
            f"wenevents: refusing to start {workers} workers with rate limits kept in each "
            "process's memory (RATELIMIT_STORAGE_URL=memory://): every worker would count "
            "separately and let through several times each limit. Set "
            "WENEVENTS_RATELIMIT_STORAGE_URL=redis://… (shared by every worker and instance) "
            "or run one worker."
        )
    return None
