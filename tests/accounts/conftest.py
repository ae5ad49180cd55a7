"""The accounts suite's own fixtures: a Redis key prefix of its own for each test (the shared
rate-limit store), so tests and pytest-xdist workers never count into each other's keys."""

import uuid

import pytest
import redis

# Redis runs at 127.0.0.1:6379 (.ci/run starts it); database 15 is the tests'.
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_prefix():
    """A key prefix for this test alone; its keys are deleted afterwards."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis does not answer at 127.0.0.1:6379: start it (see .ci/run).")
    prefix = f"wenevents-test-{uuid.uuid4().hex}"
    yield prefix
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"*{prefix}*"):
        store.delete(key)
