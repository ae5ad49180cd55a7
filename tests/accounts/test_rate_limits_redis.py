"""With RATELIMIT_STORAGE_URL on Redis, the counts live in Redis, where every instance
sees them (Redis runs at 127.0.0.1:6379; .ci/run starts it)."""

import pytest
import redis

from tests.accounts.conftest import REDIS_URL
from tests.conftest import Auth, make_app


@pytest.fixture
def shared_config(redis_prefix):
    return (
        redis_prefix,
        {
            "RATELIMIT_STORAGE_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": redis_prefix,
            "LOGIN_LIMIT_PER_ACCOUNT": "9 per minute",
        },
    )


def test_login_failures_counted_in_redis_lock_the_account_everywhere(tmp_path, shared_config):
    prefix, config = shared_config
    with (
        make_app(tmp_path / "a", **config) as first,
        make_app(tmp_path / "b", **config) as second,
    ):
        at_first = Auth(first.test_client())
        at_second = Auth(second.test_client())

        failures = [at_first.login("org@example.org", f"wrong {n}").status_code for n in range(9)]
        blocked = at_second.login("org@example.org", "wrong again")

    counted = [
        int(value)
        for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*login-account*")
        if (value := redis.Redis.from_url(REDIS_URL).get(key)) is not None
    ]
    assert failures == [200] * 9
    assert counted == [9]
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
