"""With WCC_REDIS_URL set, rate limits and the cache live in Redis and are shared."""

from __future__ import annotations


def test_failed_sign_ins_are_counted_across_app_instances(redis_app, network):
    build, store = redis_app
    first, second = build().test_client(), build().test_client()  # two workers, one Redis
    statuses = [(first if i % 2 else second).post("/login", data={"email": f"x{i}@test.example.org",
                                                                   "password": "nope"}).status_code
                for i in range(11)]
    # The counts live in the database, which every worker shares.
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_the_cache_is_shared_through_redis(redis_app):
    build, store = redis_app
    from wcc.extensions import cache

    app_a, app_b = build(), build()
    with app_a.app_context():
        cache.set("greeting", "سلام")
    with app_b.app_context():
        assert cache.get("greeting") == "سلام"
    assert store.keys("wcc:*")


def test_token_owners_are_remembered_in_redis_and_forgotten_on_every_change(redis_app, network, api_token):
    from sqlalchemy import event

    from wcc.auth.services import revoke_token
    from wcc.extensions import db

    build, _store = redis_app
    app = build()
    client = app.test_client()
    user = network.users["isfahan_city"]
    token = api_token(user)
    headers = {"Authorization": f"Bearer {token}"}
    # The first request notes the token's use (a change to a token: nothing cached before it
    # counts), the second loads and remembers.
    for _ in range(2):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    statements = []
    with app.app_context():
        engine = db.engine  # the built app's own engine: its requests run there
    listen = ("before_cursor_execute", lambda conn, cursor, statement, *args: statements.append(statement))
    event.listen(engine, *listen)
    try:
        assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "municipality"
        # The owner's id comes from Redis: the token is not looked up, the user is read by id.
        assert len(statements) == 1 and "api_tokens" not in statements[0] and "users" in statements[0]
        # And kept in the worker under the same generation: the next request reads nothing.
        assert client.get("/api/v1/me", headers=headers).get_json()["name"] == user.name
        assert len(statements) == 1
    finally:
        event.remove(engine, *listen)

    from sqlalchemy import select

    from wcc.auth.models import ApiToken, User

    def change(fn) -> None:
        """Make a change the way the app does: in its own context, committed there."""
        with app.app_context():
            fn(db.session.get(User, user.id))
            db.session.commit()

    change(lambda u: setattr(u, "name", "Renamed"))  # any committed change to a user is seen at once
    assert client.get("/api/v1/me", headers=headers).get_json()["name"] == "Renamed"
    change(lambda u: setattr(u.org, "active", False))  # the organisation leaves the union
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    change(lambda u: setattr(u.org, "active", True))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    change(lambda u: revoke_token(db.session.scalar(select(ApiToken).where(ApiToken.user_id == u.id))))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_read_just_before_it_is_revoked_is_not_remembered_past_the_revocation(redis_app, network, api_token,
                                                                                      monkeypatch):
    from sqlalchemy import select

    from wcc.auth import token_cache
    from wcc.auth.models import ApiToken
    from wcc.auth.services import revoke_token
    from wcc.extensions import db

    build, _store = redis_app
    app = build()
    client = app.test_client()
    user = network.users["isfahan_city"]
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # notes the token's first use
    remember = token_cache.remember

    def revoked_meanwhile(key, token, owner):
        # The token was read from the database; another worker revokes it before this one files it.
        with app.app_context():
            revoke_token(db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)))
            db.session.commit()
        remember(key, token, owner)

    monkeypatch.setattr(token_cache, "remember", revoked_meanwhile)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # it began before the revocation
    monkeypatch.setattr(token_cache, "remember", remember)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_user_kept_by_a_worker_is_not_served_after_redis_lost_its_data(redis_app, network, api_token):
    from sqlalchemy import text

    from wcc.auth.models import User
    from wcc.extensions import db

    build, store = redis_app
    app = build()
    client = app.test_client()
    user = network.users["isfahan_city"]
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    for _ in range(3):  # notes the first use, remembers the token, keeps the user in this worker
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    generation = int(store.get("wcc:auth:generation"))
    # Redis restarts empty, and the user is renamed where no commit hook sees it.
    store.flushdb()
    with app.app_context():
        db.session.execute(text("UPDATE users SET name = 'Changed meanwhile' WHERE id = :id"), {"id": user.id})
        db.session.commit()
    # Then the count of changes goes on from wherever it starts now, as far as it had come before
    # (a few commits): the worker must not take its kept user for one read under the new count.
    client.get("/api/v1/me", headers=headers)
    for _ in range(10):
        if int(store.get("wcc:auth:generation")) >= generation:
            break
        with app.app_context():
            db.session.get(User, network.users["admin"].id).name += "."
            db.session.commit()
    for _ in range(2):
        assert client.get("/api/v1/me", headers=headers).get_json()["name"] == "Changed meanwhile"


def test_without_redis_every_request_asks_the_database(app, network, api_token, count_queries):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(network.users['admin'])}"}
    client.get("/api/v1/me", headers=headers)
    with count_queries() as asked:
        client.get("/api/v1/me", headers=headers)
    assert asked.count >= 1


def test_the_token_cache_keeps_ids_as_json_and_no_password_hash(redis_app, network, api_token):
    import json

    from sqlalchemy import select

    from wcc.auth import token_cache
    from wcc.auth.models import ApiToken
    from wcc.extensions import db

    build, store = redis_app
    client = build().test_client()
    user = network.users["isfahan_city"]
    token = api_token(user)
    for _ in range(3):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    keys = [k for k in store.keys("wcc:auth:*") if not k.endswith(b"generation")]
    assert keys
    token_row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    for key in keys:
        raw = store.get(key)
        entry = json.loads(raw)  # JSON, not a pickle (a pickle is not valid UTF-8 JSON)
        assert set(entry) == {"user_id", "token_id", "expires"}
        assert entry["user_id"] == user.id and entry["token_id"] == token_row.id
        assert isinstance(entry["expires"], int)  # a Unix time; Redis forgets the entry at the same moment
        assert 0 < store.ttl(key) <= token_cache.SECONDS
        assert b"argon2" not in raw and user.password_hash.encode() not in raw
        assert token_row.token_hash.encode() not in raw


def test_a_tampered_token_cache_entry_is_ignored(redis_app, network, api_token):
    build, store = redis_app
    client = build().test_client()
    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan_city'])}"}
    for _ in range(2):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    for junk in (b"\x80\x04\x95 not json", b'{"user_id": "x"}', b"[]", b'{"user_id": 1, "token_id": 1}'):
        for key in store.keys("wcc:auth:*"):
            if not key.endswith(b"generation"):
                store.set(key, junk)
        assert client.get("/api/v1/me", headers=headers).get_json()["email"] == "isfahan.city@test.example.org"
