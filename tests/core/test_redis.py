"""With WCC_REDIS_URL set, rate limits and the cache live in Redis and are shared."""

from __future__ import annotations

import os

import pytest
import redis

REDIS_URL = os.environ.get("WCC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_app(make_app):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not answering at {REDIS_URL}: {exc}", pytrace=False)
    client.flushdb()
    settings = {"REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL, "CACHE_TYPE": "RedisCache",
                "CACHE_REDIS_URL": REDIS_URL}
    yield lambda: make_app(**settings), client
    client.flushdb()
    client.close()
    make_app()  # put the shared limiter back on in-memory storage for the other tests


def test_failed_sign_ins_are_counted_across_app_instances(redis_app, network):
    build, store = redis_app
    first, second = build().test_client(), build().test_client()  # two workers, one Redis
    statuses = [(first if i % 2 else second).post("/login", data={"email": f"x{i}@test.example.org",
                                                                   "password": "nope"}).status_code
                for i in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    assert any(b"LIMITER" in key or b"login" in key for key in store.keys("*"))


def test_the_cache_is_shared_through_redis(redis_app):
    build, store = redis_app
    from wcc.extensions import cache

    app_a, app_b = build(), build()
    with app_a.app_context():
        cache.set("greeting", "سلام")
    with app_b.app_context():
        assert cache.get("greeting") == "سلام"
    assert store.keys("wcc:*")
